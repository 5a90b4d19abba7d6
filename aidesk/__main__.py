import sys

from aidesk.main import main

sys.exit(main())
