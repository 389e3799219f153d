"""The load benchmark (`make bench`, `python -m bench`): see bench/README.md."""
