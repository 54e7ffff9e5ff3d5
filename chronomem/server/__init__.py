"""``chronomem serve``: the memory over HTTP (FastAPI) and MCP, with per-tenant API keys.

A top layer beside the command line: it uses the facade (:class:`~chronomem.memory.Memory`)
and nothing imports it but the command line. Its modules:

- :mod:`~chronomem.server.api`: the FastAPI app (``create_app``), MCP mounted at ``/mcp``
- :mod:`~chronomem.server.mcp_tools`: the MCP tools (official MCP SDK)
- :mod:`~chronomem.server.gate`: the tenancy check and the thread pools every call goes through
- :mod:`~chronomem.server.keys`: API keys, stored hashed in a keys file
- :mod:`~chronomem.server.middleware`: request log, body limit, key check, rate limit
- :mod:`~chronomem.server.problems`: errors as one JSON shape
- :mod:`~chronomem.server.run`: uvicorn and stdio

This package imports nothing on its own, so ``chronomem keys`` does not load the web stack.
"""
