"""Routes of data scientists and auditors: artifacts in and out, model and pipeline birth certificates,
verification. Thin handlers over gateway.artifacts, gateway.ledger and gateway.verify, as the caller.

An upload streams: the body is read, hashed, encrypted and sent to the organisation's Kubo node one
piece at a time, then recorded; the record's media type is the request's Content-Type. A body larger
than the service's bound is cut off and nothing of it is kept; a record the ledger refuses is unpinned
again (record_or_remove). A download streams the decrypted plaintext and is verified as it goes: a
response that ends early was refused by the verification and must be discarded, since its status line
was sent before the last chunk was checked.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from decimal import Decimal
from typing import Any

from aiohttp import web

from gateway import report
from gateway.api.callers import Caller
from gateway.api.problems import ApiError
from gateway.artifacts.errors import ArtifactError
from gateway.artifacts.keys import KeyWrapError
from gateway.artifacts.project_keys import current_data_key, data_key_for_epoch
from gateway.artifacts.recording import record_or_remove
from gateway.artifacts.store import ArtifactStore, StoredArtifact
from gateway.consortium import ConsortiumError
from gateway.ledger import Artifact, Committed, Component, DataBounds, SoftwareVersion
from gateway.verify import DataKeys, VerifyError, stored_artifact, verify

_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
PIECE = 1 << 20


def _keys_error(error: KeyWrapError) -> ApiError:
    return ApiError(403, "no_data_key", f"{error}")


async def _bounded(content: Any, limit: int) -> AsyncIterator[bytes]:
    """_bounded yields the request body in pieces and stops with an error past limit bytes."""
    seen = 0
    async for piece in content.iter_chunked(PIECE):
        seen += len(piece)
        if seen > limit:
            raise ArtifactError(f"the body is larger than this service's upload bound of {limit} bytes")
        yield piece


async def upload(
    request: web.Request, who: Caller, store: ArtifactStore, *, home: str, limit: int
) -> Committed:
    """upload stores the request body as a new artifact of the path's project and records it."""
    project = request.match_info["project"]
    query = request.query
    artifact_id = query["artifactId"]
    media_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if not _MEDIA_TYPE.fullmatch(media_type):
        raise ApiError(
            415,
            "unsupported_media_type",
            f"Content-Type {media_type or '(none)'!r} is no type/subtype: send the artifact's media type, "
            "e.g. image/png or application/octet-stream",
        )
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(
            413, "payload_too_large", f"the body has {request.content_length} bytes; the bound is {limit}"
        )
    parents = tuple(p for p in query.get("parents", "").split(",") if p)
    bounds = _bounds(query)
    provenance = who.ledger.provenance(project)
    try:
        epoch, key = await current_data_key(who.ledger, project, who.keyring)
    except KeyWrapError as error:
        raise _keys_error(error) from None
    try:
        stored = await store.put_stream(artifact_id, _bounded(request.content, limit), key, home=home)
    except ArtifactError as error:
        status, code = (413, "payload_too_large") if "upload bound" in str(error) else (422, "not_stored")
        raise ApiError(status, code, str(error)) from None
    return await record_or_remove(
        provenance,
        store,
        stored,
        kind=query["kind"],
        media_type=media_type,
        wrapped_key_epoch=epoch,
        parents=parents,
        request_feedback=query.get("requestFeedback", "false") == "true",
        bounds=bounds,
    )


_BOUNDS = ("boundsSource", "boundsType", "boundsMin", "boundsMax")


def _bounds(query: Mapping[str, str]) -> DataBounds | None:
    """_bounds reads the declared data bounds of an upload: all four parameters or none (the contract
    checks the rest: a data kind, min <= max)."""
    given = [name for name in _BOUNDS if name in query]
    if not given:
        return None
    if len(given) != len(_BOUNDS):
        missing = ", ".join(name for name in _BOUNDS if name not in query)
        raise ApiError(
            400, "invalid_request", f"declared bounds need all of {', '.join(_BOUNDS)}; missing {missing}"
        )
    return DataBounds(
        query["boundsSource"], query["boundsType"], Decimal(query["boundsMin"]), Decimal(query["boundsMax"])
    )


def source(who: Caller, store: ArtifactStore, record: Artifact, home: str) -> tuple[StoredArtifact, str]:
    """source is record's stored artifact and the organisation whose node to read it through: home's own
    if it pins it, else the first pinning one this service reaches (404 content_unreachable if none)."""
    stored = stored_artifact(who.ledger, store, record)
    pinned = stored.pinned_on
    via = (
        home
        if home in pinned and home in store.organisations
        else next((o for o in pinned if o in store.organisations), None)
    )
    if via is None:
        raise ApiError(404, "content_unreachable", f"no node this service reaches pins {record.artifact_id}")
    return stored, via


async def download(
    request: web.Request, who: Caller, store: ArtifactStore, *, home: str
) -> web.StreamResponse:
    """download streams the artifact's verified plaintext."""
    project = request.match_info["project"]
    record = await who.ledger.provenance(project).get_artifact(request.match_info["artifactId"])
    try:
        key = await data_key_for_epoch(who.ledger, project, who.keyring, record.wrapped_key_epoch)
    except KeyWrapError as error:
        raise _keys_error(error) from None
    stored, via = source(who, store, record, home)
    response = web.StreamResponse(
        headers={"Content-Type": record.media_type, "X-Content-Sha256": record.sha256}
    )
    response.content_length = record.size
    chunks = store.read(stored, key, via=via)
    try:
        first = await chunks.__anext__()
    except StopAsyncIteration:
        first = b""
    except ArtifactError as error:
        await chunks.aclose()
        raise ApiError(409, "content_altered", str(error)) from None
    await response.prepare(request)
    try:
        await response.write(first)
        async for chunk in chunks:
            await response.write(chunk)
    finally:
        await chunks.aclose()
    await response.write_eof()
    return response


async def open_certificate(request: web.Request, who: Caller, body: dict[str, Any]) -> Committed:
    provenance = who.ledger.provenance(request.match_info["project"])
    return await provenance.open_model_certificate(
        body["certId"], model_name=body["modelName"], version=body["version"]
    )


async def add_phase(request: web.Request, who: Caller, body: dict[str, Any]) -> Committed:
    provenance = who.ledger.provenance(request.match_info["project"])
    return await provenance.add_phase(
        request.match_info["certId"],
        phase=body["phase"],
        fields=body["fields"],
        artifacts=body.get("artifacts", []),
        creator_certificate_id=body["creatorCertificateId"],
    )


async def approve(request: web.Request, who: Caller) -> Committed:
    provenance = who.ledger.provenance(request.match_info["project"])
    return await provenance.approve_model_certificate(request.match_info["certId"])


async def record_pipeline(request: web.Request, who: Caller, body: dict[str, Any]) -> Committed:
    provenance = who.ledger.provenance(request.match_info["project"])
    for i, c in enumerate(body["components"]):
        try:
            who.ledger.organisations.organisation(c["owner"])
        except ConsortiumError as error:
            raise ApiError(400, "invalid_request", f"components[{i}].owner: {error}") from None
    components = [
        Component(
            c["name"],
            c["stage"],
            c["owner"],
            c["steps"],
            [SoftwareVersion(s["name"], s["version"]) for s in c["software"]],
            c["inputs"],
            c["outputs"],
            c.get("model", ""),
        )
        for c in body["components"]
    ]
    return await provenance.record_pipeline_certificate(
        body["certId"], version=body["version"], components=components, configuration=body["configuration"]
    )


def _data_keys(who: Caller, project: str) -> DataKeys:
    """_data_keys opens the caller's copies of project's data keys, epoch by epoch (a 403 if it has none)."""

    async def key(epoch: int) -> bytes:
        try:
            return await data_key_for_epoch(who.ledger, project, who.keyring, epoch)
        except KeyWrapError as error:
            raise _keys_error(error) from None

    return key


async def audit_report(request: web.Request, who: Caller, store: ArtifactStore) -> web.Response:
    """audit_report is the path's model certificate or artifact as an audit report (gateway.report), in
    the query's format (html by default)."""
    project, subject = request.match_info["project"], request.match_info["subject"]
    build = report.model_report if subject == "model" else report.artifact_report
    try:
        found = await build(
            who.ledger,
            store,
            project,
            request.match_info["id"],
            data_key_for=_data_keys(who, project),
            generated_for=who.member_id,
        )
    except VerifyError as error:
        raise ApiError(404, "not_found", str(error)) from None
    if request.query.get("format", "html") == "pdf":
        name = f"audit-{subject}-{found.subject_id}.pdf"
        return web.Response(
            body=report.to_pdf(found),
            content_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return web.Response(text=report.to_html(found), content_type="text/html")


async def verdicts(request: web.Request, who: Caller, store: ArtifactStore) -> dict[str, Any]:
    """verdicts verifies the path's subject as the caller (gateway.verify)."""
    project = request.match_info["project"]
    key = _data_keys(who, project)
    try:
        found = await verify(
            who.ledger,
            store,
            project,
            request.match_info["subject"],
            request.match_info["id"],
            data_key_for=key,
        )
    except VerifyError as error:
        raise ApiError(404, "not_found", str(error)) from None
    return {
        "intact": all(v.status == "intact" for v in found),
        "verdicts": [
            {
                "kind": v.kind,
                "recordId": v.record_id,
                "status": v.status,
                "blockNumber": v.block_number,
                "transactionId": v.tx_id,
                "creatorMsp": v.creator,
                "why": v.why,
            }
            for v in found
        ],
    }
