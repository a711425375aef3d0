"""The command line, one module per capability; ``credible.cli`` assembles them.

Commands parse, call a capability's service and print. No business logic lives here.
"""
