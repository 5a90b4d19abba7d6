from aidesk.main import entry

entry()
