"""`python -m soptui`: the same as the `soptui` command."""

from soptui.cli import main

main()
