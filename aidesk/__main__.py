import sys

from aidesk.cli import main

sys.exit(main())
