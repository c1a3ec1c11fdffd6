"""What several test folders share: the vector loader, the recording transport, DER builders.

Importable as `tests.support` because pytest puts the project root on sys.path (`pythonpath`
in pyproject.toml).
"""
