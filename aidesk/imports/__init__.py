"""Conversation and lead importers (WhatsApp, CSV, JSON): no AI, no Qt."""
