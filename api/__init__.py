"""The read-only JSON API (issue 17 part 4) and its per-user tokens: the top layer beside
config. It may use every app; nothing imports it but config (tests/test_layers.py)."""
