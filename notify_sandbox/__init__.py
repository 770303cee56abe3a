"""A local server that behaves like the GOV.UK Notify v2 API, for the demo, the tests and the benchmarks.

The real notifications-python-client talks to it over HTTP exactly as it would to Notify. See
notify_sandbox/README.md. It never imports the product's code.
"""
