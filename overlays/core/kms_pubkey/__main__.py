"""`python -m kms_pubkey`: the same command line as the `kms-pubkey` console script."""

from kms_pubkey.cli import main

raise SystemExit(main())
