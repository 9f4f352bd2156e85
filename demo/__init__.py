"""The demo: a deterministic generator of plausible Jiangxi households (demo/generator.py, shared with
bench/generate.py) and the `seed_demo` and `seed_demo_applications` commands that load staff of every role,
households, standards and applications in every state through the real services. Nothing imports it but the
benchmarks and tests."""
