"""A stage's connection to its organisation's gateway service, as the member that owns the stage: every
record a stage makes goes through here, signed in the service by that member's own key.

Writes answer the committed transaction. A refusal that only means another organisation's peer has not
committed the previous step yet (the service waits for its own peer only) is sent again a few times;
any other refusal is raised as it came (gateway.cli.client.Refused: status, code, detail, each peer's
message). The time spent waiting for the service is summed, so that the demonstration can tell the
share of the pipeline spent on certification.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gateway.cli.client import Refused, Service, connect
from gateway.consortium import Consortium
from gateway.ledger import DataBounds
from gateway.provision import PROVISION_LAG

RESENDS = 8


class MemberService:
    """MemberService is one member signed in to its organisation's service for one project."""

    def __init__(
        self, consortium: Consortium, organisation: str, member_id: str, identity_dir: Path, project: str
    ) -> None:
        url, context = connect(consortium, organisation, identity_dir)
        self.service = Service(url, context)
        self.organisation, self.member_id, self.project = organisation, member_id, project
        self.seconds = 0.0  # spent waiting for the service

    async def close(self) -> None:
        await self.service.close()

    @property
    def base(self) -> str:
        return f"/v1/projects/{self.project}"

    async def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        """call sends one request (again, on a refusal of lag) and answers the JSON body."""
        started = time.monotonic()
        try:
            for attempt in range(RESENDS):
                try:
                    return await self.service.call(method, path, body, **kwargs)
                except Refused as refused:
                    said = str(refused)
                    if attempt == RESENDS - 1 or not any(reason in said for reason in PROVISION_LAG):
                        raise
                    await asyncio.sleep(0.2 * 2**attempt)
        finally:
            self.seconds += time.monotonic() - started

    async def fetch(self, path: str, **params: str) -> bytes:
        """fetch GETs path and answers the body's bytes (contents, reports); a refusal is raised."""
        started = time.monotonic()
        try:
            async with self.service.session.get(self.service.url + path, params=params) as response:
                if response.status >= 400:
                    raise Refused(response.status, await response.json(content_type=None))
                body = await response.read()
            if response.content_length is not None and len(body) != response.content_length:
                raise Refused(409, {"code": "content_altered", "detail": f"{path}: cut off in verification"})
            return body
        finally:
            self.seconds += time.monotonic() - started

    async def upload(
        self,
        artifact_id: str,
        content: bytes,
        *,
        kind: str,
        media_type: str,
        parents: tuple[str, ...] = (),
        bounds: DataBounds | None = None,
        request_feedback: bool = False,
    ) -> dict[str, Any]:
        """upload stores content as a new artifact of the project and records it as this member."""
        query: dict[str, str] = {
            "artifactId": artifact_id,
            "kind": kind,
            "requestFeedback": "true" if request_feedback else "false",
        }
        if parents:
            query["parents"] = ",".join(parents)
        if bounds is not None:
            query |= {
                "boundsSource": bounds.source,
                "boundsType": bounds.data_type,
                "boundsMin": str(bounds.minimum),
                "boundsMax": str(bounds.maximum),
            }
        committed: dict[str, Any] = await self.call(
            "POST",
            f"{self.base}/artifacts",
            None,
            params=query,
            data=content,
            headers={"Content-Type": media_type},
        )
        return committed

    async def content(self, artifact_id: str) -> bytes:
        """content is an artifact's plaintext, decrypted and verified against its record by the service."""
        return await self.fetch(f"{self.base}/artifacts/{artifact_id}/content")

    async def phase(
        self,
        cert_id: str,
        phase: str,
        fields: Mapping[str, Any],
        artifacts: tuple[str, ...],
        certificate: str,
    ) -> dict[str, Any]:
        """phase records one phase of a model's birth certificate, citing this member's company
        certificate."""
        body = {
            "phase": phase,
            "fields": dict(fields),
            "artifacts": list(artifacts),
            "creatorCertificateId": certificate,
        }
        committed: dict[str, Any] = await self.call("POST", f"{self.base}/models/{cert_id}/phases", body)
        return committed
