"""The gateway service of one organisation: an aiohttp app over HTTPS with mutual TLS (`bcmlp serve`).

Every route is declared in ``openapi.yaml`` (served at ``/openapi.json``); each request is validated
against it before a handler runs and each response after, so the description is the contract. Handlers
are thin: they call the member's own ledger clients (callers.py) and turn records into JSON. Errors of
every kind leave as problem documents (problems.py). Each member has at most ``max_in_flight`` ledger
submissions in flight; beyond that the service answers 429 with Retry-After instead of queueing.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from openapi_core import OpenAPI
from openapi_core.contrib.aiohttp import AIOHTTPOpenAPIWebRequest, AIOHTTPOpenAPIWebResponse
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.validation.request.validators import V30RequestParametersValidator
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from gateway.api import admin, science
from gateway.api.callers import Caller, Callers
from gateway.api.offline import Offline
from gateway.api.problems import PROBLEM_TYPE, ApiError, from_ledger_error
from gateway.api.training import TrainingRuns
from gateway.consortium import load_consortium
from gateway.ledger import Committed, FeedbackEvidence, LedgerError
from gateway.usability import model_usability

SPEC_PATH = Path(__file__).with_name("openapi.yaml")
LOG = logging.getLogger("bcmlp.api")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def load_spec() -> dict[str, Any]:
    """load_spec reads the service's OpenAPI description."""
    spec = yaml.safe_load(SPEC_PATH.read_text())
    assert isinstance(spec, dict)
    return spec


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def plain(value: Any) -> Any:
    """plain turns records into JSON values: dataclasses to objects with camelCase keys, Decimals to
    decimal strings, tuples to lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {camel(f.name): plain(getattr(value, f.name)) for f in fields(value) if f.repr}
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


@dataclass
class Metrics:
    """Metrics are the service's Prometheus series, in a registry of its own."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    submissions: Histogram
    refusals: Counter

    @classmethod
    def create(cls) -> Metrics:
        registry = CollectorRegistry()
        return cls(
            registry,
            Counter(
                "bcmlp_api_requests", "Requests by route and status", ["route", "status"], registry=registry
            ),
            Histogram("bcmlp_api_request_seconds", "Request latency by route", ["route"], registry=registry),
            Histogram(
                "bcmlp_api_submit_seconds", "Ledger submission latency (endorse to commit)", registry=registry
            ),
            Counter(
                "bcmlp_api_ledger_refusals",
                "Ledger refusals by stage and code",
                ["stage", "code"],
                registry=registry,
            ),
        )


@dataclass
class Service:
    """Service is what the handlers share: the organisation's callers, its OpenAPI description, metrics."""

    organisation: str
    callers: Callers
    openapi: OpenAPI
    spec_json: bytes
    metrics: Metrics
    max_in_flight: int
    parameters: Any  # the OpenAPI request-parameters validator, for streamed bodies
    max_upload_bytes: int
    training: TrainingRuns


SERVICE = web.AppKey("service", Service)
CALLER = "bcmlp.caller"  # request key: the signed-in Caller


def _problem(error: ApiError) -> web.Response:
    response = web.json_response(error.document(), status=error.status, content_type=PROBLEM_TYPE)
    if error.status == 429:
        response.headers["Retry-After"] = "1"
    return response


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """errors turns every failure into a problem document and counts the request."""
    service = request.app[SERVICE]
    started = time.monotonic()
    route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
    try:
        response = await handler(request)
    except ApiError as error:
        response = _problem(error)
    except LedgerError as error:
        problem = from_ledger_error(error)
        service.metrics.refusals.labels(error.stage or "none", problem.code).inc()
        response = _problem(problem)
    except HttpProcessingError as error:
        response = _problem(
            ApiError(400, "bad_http", f"the request is not well-formed HTTP: {error.message}")
        )
    except web.HTTPException as error:
        code = {404: "no_such_route", 405: "method_not_allowed"}.get(error.status, "http_error")
        response = _problem(ApiError(error.status, code, error.reason))
    except Exception:
        LOG.exception("unexpected error on %s %s", request.method, request.path)
        response = _problem(ApiError(500, "internal", "the service failed; its log has the details"))
    service.metrics.requests.labels(route, str(response.status)).inc()
    service.metrics.latency.labels(route).observe(time.monotonic() - started)
    tx = response.headers.get("X-Transaction-Id", "")
    LOG.info(
        json.dumps(
            {
                "method": request.method,
                "path": request.path,
                "status": response.status,
                "member": getattr(request.get(CALLER), "member_id", ""),
                "transactionId": tx,
                "seconds": round(time.monotonic() - started, 4),
            }
        )
    )
    return response


# Routes outside the OpenAPI check: the description itself and the metrics exposition (text).
_UNCHECKED = ("/openapi.json", "/metrics")
# Routes any consortium certificate may call, member or not: the health check (make status, api.sh).
_ANONYMOUS = ("/healthz",)
# Offline signing resolves its member from the signed bytes (offline.py), not from the wallet.
_OFFLINE = "/v1/offline/"
# Uploads stream their body (science.py).
_STREAMED = re.compile(r"/v1/projects/[^/]+/artifacts")


def _described(error: Exception) -> list[str]:
    """_described is what a request broke of the description, one line per schema error; a body that is
    not UTF-8 JSON at all is said so (openapi-core's own message would fail to decode it)."""
    schema_errors = [str(e.message) for e in getattr(error, "schema_errors", ())]
    if schema_errors:
        return schema_errors
    try:
        return [str(error.__cause__ or error)]
    except UnicodeDecodeError:
        return ["the body is not UTF-8 text: send JSON"]


@web.middleware
async def contract(request: web.Request, handler: Handler) -> web.StreamResponse:
    """contract validates the request against the OpenAPI description, resolves the caller, runs the
    handler and validates its response."""
    if request.path in _UNCHECKED:
        return await handler(request)
    service = request.app[SERVICE]
    streamed = request.method == "POST" and _STREAMED.fullmatch(request.path) is not None
    # A streamed upload's body is checked by its handler as it streams (media type, size), not read here.
    body = None if streamed else await request.read()
    openapi_request = AIOHTTPOpenAPIWebRequest(request, body=body or None)
    found = list(
        service.parameters.iter_errors(openapi_request)
        if streamed
        else service.openapi.iter_request_errors(openapi_request)
    )
    if found:
        if any(isinstance(e, PathError) for e in found):
            raise web.HTTPNotFound(reason=f"{request.method} {request.path} is no route of this service")
        details = [detail for error in found for detail in _described(error)]
        raise ApiError(400, "invalid_request", "; ".join(details), errors=details)
    if request.path not in _ANONYMOUS and not request.path.startswith(_OFFLINE):
        request[CALLER] = await service.callers.resolve(presented(request))
    if "project" in request.match_info:
        service.callers.project_organisations(request.match_info["project"])
    response = await handler(request)
    if isinstance(response, web.Response):
        bad = [
            str(e)
            for e in service.openapi.iter_response_errors(
                openapi_request, AIOHTTPOpenAPIWebResponse(response)
            )
        ]
        if bad:
            LOG.error(
                "response of %s %s breaks the OpenAPI description: %s", request.method, request.path, bad
            )
            raise ApiError(
                500, "invalid_response", "the service's answer broke its own description; see its log"
            )
    return response


def presented(request: web.Request) -> bytes | None:
    """presented is the DER certificate the client presented in the TLS handshake."""
    ssl_object = request.transport.get_extra_info("ssl_object") if request.transport else None
    return ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None


def caller(request: web.Request) -> Caller:
    found = request[CALLER]
    assert isinstance(found, Caller)
    return found


async def submitted(request: web.Request, submit: Callable[[], Awaitable[Committed]]) -> web.Response:
    """submitted runs a ledger submission as the caller within its in-flight bound, answering 201."""
    service = request.app[SERVICE]
    who = caller(request)
    if who.in_flight >= service.max_in_flight:
        raise ApiError(
            429,
            "too_many_requests",
            f"member {who.member_id} has {who.in_flight} submissions in flight, the most this service "
            "keeps per member: retry when one has committed",
        )
    who.in_flight += 1
    started = time.monotonic()
    try:
        committed = await submit()
    finally:
        who.in_flight -= 1
    service.metrics.submissions.observe(time.monotonic() - started)
    response = web.json_response(plain(committed), status=201)
    response.headers["X-Transaction-Id"] = committed.transaction_id
    return response


# Handlers, grouped as the OpenAPI description groups them.


async def health(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    peer = service.callers.organisation.peer
    return web.json_response(
        {"status": "ok", "organisation": service.organisation, "peer": peer.address if peer else ""}
    )


async def openapi_json(request: web.Request) -> web.Response:
    return web.Response(body=request.app[SERVICE].spec_json, content_type="application/json")


async def metrics(request: web.Request) -> web.Response:
    return web.Response(
        body=generate_latest(request.app[SERVICE].metrics.registry),
        headers={"Content-Type": CONTENT_TYPE_LATEST},
    )


async def me(request: web.Request) -> web.Response:
    return web.json_response(plain(caller(request).standing))


async def trust_table(request: web.Request) -> web.Response:
    rows = await caller(request).ledger.registry.get_trust_table()
    return web.json_response({"members": plain(rows)})


async def trust_row(request: web.Request) -> web.Response:
    row = await caller(request).ledger.registry.get_trust(request.match_info["memberId"])
    return web.json_response(plain(row))


def _provenance(request: web.Request) -> Any:
    return caller(request).ledger.provenance(request.match_info["project"])


async def artifact(request: web.Request) -> web.Response:
    return web.json_response(plain(await _provenance(request).get_artifact(request.match_info["artifactId"])))


async def lineage(request: web.Request) -> web.Response:
    found = await _provenance(request).get_lineage(request.match_info["artifactId"])
    return web.json_response({"artifacts": plain(found)})


async def ratings(request: web.Request) -> web.Response:
    found = await _provenance(request).get_feedback(request.match_info["artifactId"])
    return web.json_response({"ratings": plain(found)})


async def rate(request: web.Request) -> web.Response:
    body = await request.json()
    try:
        score = Decimal(body["score"])
    except ArithmeticError:
        raise ApiError(400, "invalid_request", f"score {body['score']!r} is not a decimal") from None
    evidence = [FeedbackEvidence(e["cid"], e["sha256"]) for e in body.get("evidence", [])]
    provenance = _provenance(request)
    artifact_id = request.match_info["artifactId"]
    return await submitted(
        request,
        lambda: provenance.rate_record(
            artifact_id, score=score, comment=body.get("comment", ""), evidence=evidence
        ),
    )


async def awaiting_feedback(request: web.Request) -> web.Response:
    found = await _provenance(request).list_awaiting_feedback(caller(request).standing.identity)
    return web.json_response({"artifacts": plain(found)})


async def upload(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    who = caller(request)
    store = service.callers.store(request.match_info["project"])
    return await submitted(
        request,
        lambda: science.upload(
            request, who, store, home=service.organisation, limit=service.max_upload_bytes
        ),
    )


async def content(request: web.Request) -> web.StreamResponse:
    service = request.app[SERVICE]
    store = service.callers.store(request.match_info["project"])
    return await science.download(request, caller(request), store, home=service.organisation)


async def open_certificate(request: web.Request) -> web.Response:
    body = await request.json()
    return await submitted(request, lambda: science.open_certificate(request, caller(request), body))


async def certificate(request: web.Request) -> web.Response:
    provenance = _provenance(request)
    found = await provenance.get_model_certificate(request.match_info["certId"])
    return web.json_response(dict(found.record))


async def record_result_batch(request: web.Request) -> web.Response:
    body = await request.json()
    provenance = _provenance(request)
    return await submitted(
        request,
        lambda: provenance.record_result_batch(
            body["batchId"],
            merkle_root=body["merkleRoot"],
            size=body["size"],
            results_artifact_id=body["resultsArtifactId"],
            model_cert_id=body["modelCertId"],
        ),
    )


async def result_batch(request: web.Request) -> web.Response:
    found = await _provenance(request).get_result_batch(request.match_info["batchId"])
    return web.json_response(plain(found))


async def usability(request: web.Request) -> web.Response:
    project = request.match_info["project"]
    found = await model_usability(caller(request).ledger, project, request.match_info["certId"])
    return web.json_response(found.to_json())


async def add_phase(request: web.Request) -> web.Response:
    body = await request.json()
    return await submitted(request, lambda: science.add_phase(request, caller(request), body))


async def approve(request: web.Request) -> web.Response:
    return await submitted(request, lambda: science.approve(request, caller(request)))


async def record_pipeline(request: web.Request) -> web.Response:
    body = await request.json()
    return await submitted(request, lambda: science.record_pipeline(request, caller(request), body))


async def pipeline(request: web.Request) -> web.Response:
    found = await _provenance(request).get_pipeline_certificate(request.match_info["certId"])
    return web.json_response(dict(found.record))


async def verified(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    store = service.callers.store(request.match_info["project"])
    return web.json_response(await science.verdicts(request, caller(request), store))


async def audit_report(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    store = service.callers.store(request.match_info["project"])
    return await science.audit_report(request, caller(request), store)


async def submit_training_run(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    project = request.match_info["project"]
    body = await request.json()
    run = await service.training.submit(caller(request), service.callers.store(project), project, body)
    response = web.json_response(run.to_json(), status=202)
    response.headers["Location"] = f"/v1/projects/{project}/training-runs/{run.run_id}"
    return response


async def training_runs(request: web.Request) -> web.Response:
    runs = request.app[SERVICE].training.runs(request.match_info["project"])
    return web.json_response({"runs": [run.to_json() for run in runs]})


async def training_run(request: web.Request) -> web.Response:
    training = request.app[SERVICE].training
    return web.json_response(
        training.get(request.match_info["project"], request.match_info["runId"]).to_json()
    )


async def member(request: web.Request) -> web.Response:
    found = await caller(request).ledger.registry.get_member(request.match_info["memberId"])
    return web.json_response(plain(found))


async def enrolment(request: web.Request) -> web.Response:
    found = await caller(request).ledger.registry.get_enrolment(request.match_info["requestId"])
    return web.json_response(plain(found))


async def approve_enrolment(request: web.Request) -> web.Response:
    registry = caller(request).ledger.registry
    return await submitted(request, lambda: registry.approve_enrolment(request.match_info["requestId"]))


async def reject_enrolment(request: web.Request) -> web.Response:
    body = await request.json()
    registry = caller(request).ledger.registry
    return await submitted(
        request, lambda: registry.reject_enrolment(request.match_info["requestId"], reason=body["reason"])
    )


async def request_status(request: web.Request) -> web.Response:
    body = await request.json()
    answer = await admin.status_request(caller(request), request.match_info["memberId"], body)
    response = web.json_response(answer, status=201)
    response.headers["X-Transaction-Id"] = answer["transactionId"]
    return response


async def approve_status(request: web.Request) -> web.Response:
    registry = caller(request).ledger.registry
    return await submitted(request, lambda: registry.approve_member_status(request.match_info["requestId"]))


async def parameters(request: web.Request) -> web.Response:
    return web.json_response(plain(await caller(request).ledger.registry.get_parameters()))


async def committee(request: web.Request) -> web.Response:
    return web.json_response({"members": plain(await caller(request).ledger.registry.get_committee())})


async def project(request: web.Request) -> web.Response:
    return web.json_response(
        plain(await caller(request).ledger.registry.get_project(request.match_info["project"]))
    )


async def event_stream(request: web.Request) -> web.StreamResponse:
    service = request.app[SERVICE]
    own = service.callers.organisation.name
    channels = [
        c for c, orgs in load_consortium(service.callers.consortium.run_dir).channels.items() if own in orgs
    ]
    return await admin.events(request, caller(request), channels)


def offline_step(step: str) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        offline = Offline(request.app[SERVICE].callers)
        answer = await getattr(offline, step)(presented(request), await request.json())
        response = web.json_response(answer)
        response.headers["X-Transaction-Id"] = answer["transactionId"]
        return response

    return handle


ROUTES = [
    web.get("/healthz", health),
    web.get("/openapi.json", openapi_json),
    web.get("/metrics", metrics),
    web.get("/v1/me", me),
    web.get("/v1/trust", trust_table),
    web.get("/v1/trust/{memberId}", trust_row),
    web.get("/v1/projects/{project}/artifacts/{artifactId}", artifact),
    web.get("/v1/projects/{project}/artifacts/{artifactId}/lineage", lineage),
    web.get("/v1/projects/{project}/artifacts/{artifactId}/ratings", ratings),
    web.post("/v1/projects/{project}/artifacts/{artifactId}/ratings", rate),
    web.get("/v1/projects/{project}/feedback/awaiting", awaiting_feedback),
    web.post("/v1/projects/{project}/artifacts", upload),
    web.get("/v1/projects/{project}/artifacts/{artifactId}/content", content),
    web.post("/v1/projects/{project}/models", open_certificate),
    web.get("/v1/projects/{project}/models/{certId}", certificate),
    web.post("/v1/projects/{project}/models/{certId}/phases", add_phase),
    web.post("/v1/projects/{project}/models/{certId}/approvals", approve),
    web.post("/v1/projects/{project}/pipelines", record_pipeline),
    web.get("/v1/projects/{project}/pipelines/{certId}", pipeline),
    web.get("/v1/projects/{project}/verify/{subject}/{id}", verified),
    web.get("/v1/projects/{project}/reports/{subject}/{id}", audit_report),
    web.get("/v1/projects/{project}/models/{certId}/usability", usability),
    web.post("/v1/projects/{project}/result-batches", record_result_batch),
    web.get("/v1/projects/{project}/result-batches/{batchId}", result_batch),
    web.post("/v1/projects/{project}/training-runs", submit_training_run),
    web.get("/v1/projects/{project}/training-runs", training_runs),
    web.get("/v1/projects/{project}/training-runs/{runId}", training_run),
    web.get("/v1/members/{memberId}", member),
    web.post("/v1/members/{memberId}/status-requests", request_status),
    web.post("/v1/status-requests/{requestId}/approvals", approve_status),
    web.get("/v1/enrolments/{requestId}", enrolment),
    web.post("/v1/enrolments/{requestId}/approvals", approve_enrolment),
    web.post("/v1/enrolments/{requestId}/rejections", reject_enrolment),
    web.get("/v1/parameters", parameters),
    web.get("/v1/committee", committee),
    web.get("/v1/projects/{project}", project),
    web.get("/v1/events/{channel}/{chaincode}", event_stream),
    web.post("/v1/offline/proposals", offline_step("propose")),
    web.post("/v1/offline/endorsements", offline_step("endorse")),
    web.post("/v1/offline/submissions", offline_step("submit")),
    web.post("/v1/offline/commits", offline_step("commit")),
]


def make_app(
    organisation: str, callers: Callers, *, max_in_flight: int = 8, max_upload_bytes: int = 8 << 30
) -> web.Application:
    """make_app is organisation's service over callers (which hold its peer connection, wallet and
    Kubo clients). JSON bodies are bounded at 1 MiB; uploads at max_upload_bytes (default 8 GiB)."""
    spec = load_spec()
    openapi = OpenAPI.from_dict(spec)
    app = web.Application(middlewares=[errors, contract], client_max_size=1 << 20)
    app[SERVICE] = Service(
        organisation,
        callers,
        openapi,
        json.dumps(spec).encode(),
        Metrics.create(),
        max_in_flight,
        V30RequestParametersValidator(openapi.spec),
        max_upload_bytes,
        TrainingRuns(home=organisation),
    )
    app.add_routes(ROUTES)

    async def stop_training(app: web.Application) -> None:
        await app[SERVICE].training.close()

    app.on_cleanup.append(stop_training)
    return app
