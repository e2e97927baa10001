import sys

from vault_platform.cli import main

sys.exit(main())
