"""The baseline of `bench/startup.py`'s CLI figure: one chat call with the openai SDK, as a
plain script would make it, with the request `aidesk ask PROMPT` sends to the `local`
provider (its default model, `max_tokens=1024`, the prompt as the one user message).

    python bench/raw_ask.py BASE_URL PROMPT [MODEL]
"""

import sys

from openai import OpenAI

base_url, prompt = sys.argv[1], sys.argv[2]
model = sys.argv[3] if len(sys.argv) > 3 else "llama3.2"
client = OpenAI(base_url=base_url, api_key="local-no-key", max_retries=0)
response = client.chat.completions.create(
    model=model, max_tokens=1024, messages=[{"role": "user", "content": prompt}])
print(response.choices[0].message.content)
