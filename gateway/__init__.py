"""bcmlp gateway: the Python side of the consortium (Fabric client, IPFS client, services)."""
