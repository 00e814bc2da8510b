"""Client for an organisation's Kubo node in the consortium's private swarm."""

from gateway.ipfs.client import IpfsClient, IpfsError

__all__ = ["IpfsClient", "IpfsError"]
