"""A model's birth certificate through all nine phases, and the pipelines around it, on the running network
(issue 10), then `bcmlp verify` of each: a company member of the Manufacturer writes requirements, data
collection and deployment, a data scientist of the ModelTrainer the data and model phases (recording
the trained model itself), a condition monitor of the ConditionMonitor monitoring; three founders who
wrote no phase approve. A pipeline that runs the model for inference is refused until it is certified.
Then: an uncertified certificate fails verification; the certified model, the pipeline that runs it and
a transaction of the certificate verify intact online, and their bundles offline; their in-toto/SLSA
attestations, read from the ledger, validate (a draft's is refused); an auditor's report of the model, in
HTML and PDF, shows the nine phases with each writer's trust at the time; and the model's
stored bytes replaced by another model's fail the pipeline's verification, naming the model."""

from __future__ import annotations

import dataclasses
import html.parser
import importlib.metadata
import json
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.artifacts.keys import new_data_key
from gateway.artifacts.project_keys import current_data_key, member_keyring
from gateway.artifacts.store import ArtifactStore, StoredArtifact
from gateway.batches import InclusionProof, batch_proofs, canonical
from gateway.ledger import Component, Ledger, SoftwareVersion, open_ledger
from gateway.ledger.attestation import validate
from gateway.report import (
    PHASES,
    SECTION_APPROVALS,
    SECTION_LINEAGE,
    SECTION_PHASES,
    SECTION_SUMMARY,
    SECTION_VERDICTS,
)
from gateway.usability import Usability
from gateway.verify import block_number
from pipeline import birth
from pipeline.certified import CertifiedInspector, InferenceRefused
from pipeline.model import TrainingConfig
from pipeline.monitor import Thresholds
from tests.integration.conftest import PROJECT
from tests.integration.founding import Governance, refusal
from tests.integration.service import founder_client
from tests.unit.test_report import pdf_pages

CERT, TRAINING, SERVING = "cc-surface-cnn-1", "cc-training-pipeline", "cc-serving-pipeline"
RAW, DATASET, MODEL = "cc-raw-images", "cc-dataset", "cc-model"
TOOLS = [SoftwareVersion("python", "3.11"), SoftwareVersion("tensorflow", "2.18")]


@dataclass(frozen=True)
class Certified:
    """Certified is what the module's fixture made, and what it saw on the way."""

    model: StoredArtifact
    training_phase_tx: str
    serving_refusal: str  # the serving pipeline's refusal while the certificate was uncertified
    status_before_approvals: str
    company_dir: Path  # the Manufacturer's company member, which runs inference


async def store_and_record(
    governance: Governance,
    store: ArtifactStore,
    ledger: Ledger,
    artifact_id: str,
    content: bytes,
    kind: str,
    parents: tuple[str, ...] = (),
) -> StoredArtifact:
    """store_and_record stores content under the project's current data key (opened through the
    Manufacturer founder's keyring) and records it as ledger's member."""
    founder = governance.founder("Manufacturer")
    admin_dir = governance.network.consortium.organisation("Manufacturer").admin_dir
    epoch, key = await current_data_key(founder, PROJECT, await member_keyring(founder, PROJECT, admin_dir))
    stored = await store.put(artifact_id, content, key, home="Manufacturer")
    committed = await ledger.provenance(PROJECT).record_artifact(
        stored, kind=kind, media_type="application/octet-stream", wrapped_key_epoch=epoch, parents=parents
    )
    await governance.settle(committed.transaction_id, PROJECT)
    return stored


@pytest.fixture(scope="module")
async def certified(governance: Governance, store: ArtifactStore) -> Certified:
    consortium = governance.network.consortium
    await governance.company_certificates(
        ("Manufacturer", "ModelTrainer", "ConditionMonitor"), prefix="cc-company"
    )
    company_dir = await governance.project_member(
        "Manufacturer",
        "cc-company",
        role="company",
        attributes={"legalEntity": "Surfaces AG"},
        project=PROJECT,
    )
    scientist_dir = await governance.project_member(
        "ModelTrainer",
        "cc-scientist",
        role="data-scientist",
        attributes={
            "identity": "Dana",
            "companyCertificate": "cc-company-modeltrainer",
            "expertiseDegree": "master",
        },
        project=PROJECT,
    )
    monitor_dir = await governance.project_member(
        "ConditionMonitor",
        "cc-monitor",
        role="condition-monitor",
        attributes={"identity": "Mo", "companyCertificate": "cc-company-conditionmonitor"},
        project=PROJECT,
    )
    async with (
        open_ledger(consortium, organisation="Manufacturer", identity_dir=company_dir) as company,
        open_ledger(consortium, organisation="ModelTrainer", identity_dir=scientist_dir) as scientist,
        open_ledger(consortium, organisation="ConditionMonitor", identity_dir=monitor_dir) as monitor,
    ):
        # Each phase writer cites its organisation's company certificate.
        certificates = {
            id(company): "cc-company-manufacturer",
            id(scientist): "cc-company-modeltrainer",
            id(monitor): "cc-company-conditionmonitor",
        }

        async def phase(
            writer: Ledger, name: str, fields: dict[str, object], artifacts: tuple[str, ...] = ()
        ) -> str:
            committed = await writer.provenance(PROJECT).add_phase(
                CERT,
                phase=name,
                fields=fields,
                artifacts=artifacts,
                creator_certificate_id=certificates[id(writer)],
            )
            await governance.settle(committed.transaction_id, PROJECT)
            return committed.transaction_id

        opened = await company.provenance(PROJECT).open_model_certificate(
            CERT, model_name="surface-cnn", version="1"
        )
        await governance.settle(opened.transaction_id, PROJECT)
        await phase(company, "requirements", {"goals": "find scratches", "decisions": "binary CNN on crops"})
        await store_and_record(governance, store, company, RAW, b"surface images " * 4000, "raw-data")
        await phase(company, "data-collection", {"acquisition": "line camera", "sensors": "acA2440"}, (RAW,))
        await store_and_record(
            governance, store, scientist, DATASET, b"cleaned crops " * 3000, "dataset", (RAW,)
        )
        await phase(
            scientist,
            "data-cleaning",
            {"method": "drop blurred frames", "software": "skimage 0.24"},
            (DATASET,),
        )
        await phase(
            scientist,
            "data-labelling",
            {
                "method": "two annotators",
                "instructions": "mark scratches over 2 mm",
                "labeller": "QC inspectors",
            },
        )
        await phase(scientist, "feature-engineering", {"augmentation": "flips"})
        model = await store_and_record(
            governance, store, scientist, MODEL, b"cnn weights " * 5000, "model", (DATASET,)
        )
        training_tx = await phase(
            scientist, "training", {"hyperparameters": {"epochs": 3}, "software": "tensorflow 2.18"}, (MODEL,)
        )
        await phase(scientist, "evaluation", {"metrics": {"accuracy": "0.97"}})
        training_pipeline = await scientist.provenance(PROJECT).record_pipeline_certificate(
            TRAINING,
            version="1",
            components=[
                Component(
                    "camera", "collection", "Manufacturer", ["capture"], TOOLS, ["raw-data"], ["raw-data"]
                ),
                Component(
                    "clean", "preprocessing", "ModelTrainer", ["clean"], TOOLS, ["raw-data"], ["dataset"]
                ),
                Component(
                    "fit", "training", "ModelTrainer", ["fit"], TOOLS, ["dataset"], ["model"], model=CERT
                ),
            ],
            configuration='{"epochs": 3}',
        )
        await governance.settle(training_pipeline.transaction_id, PROJECT)
        await phase(company, "deployment", {"pipelineRef": TRAINING})
        await phase(monitor, "monitoring", {"alertThresholds": {"accuracy": "0.9"}})

        serving = [
            Component("camera", "collection", "Manufacturer", ["capture"], TOOLS, ["raw-data"], ["raw-data"]),
            Component(
                "inspect",
                "inference",
                "Manufacturer",
                ["predict"],
                TOOLS,
                ["raw-data"],
                ["inference-results"],
                model=CERT,
            ),
        ]
        record_serving = company.provenance(PROJECT).record_pipeline_certificate
        serving_refusal = await refusal(
            record_serving(SERVING, version="1", components=serving, configuration="{}")
        )
        status = (await company.provenance(PROJECT).get_model_certificate(CERT)).status
        for org in ("Manufacturer", "ModelTrainer", "ConditionMonitor"):
            approved = await governance.founder(org).provenance(PROJECT).approve_model_certificate(CERT)
            await governance.settle(approved.transaction_id, PROJECT)
        recorded = await record_serving(SERVING, version="1", components=serving, configuration="{}")
        await governance.settle(recorded.transaction_id, PROJECT)
    return Certified(model, training_tx, serving_refusal, status, company_dir)


def verdicts(stdout: str) -> dict[str, str]:
    """verdicts maps "kind id" to status, read from `bcmlp verify`'s lines."""
    found = {}
    for line in stdout.splitlines():
        words = line.split()
        if words and words[0] in ("intact", "altered", "missing", "distrusted", "uncertified"):
            kind = " ".join(words[1:-5])  # status, kind (one or two words), id, "(block", N, "tx", ID)
            found[f"{kind} {words[-5]}"] = words[0]
    return found


async def test_an_uncertified_certificate_fails_verification(governance: Governance) -> None:
    founder = governance.founder("Manufacturer").provenance(PROJECT)
    opened = await founder.open_model_certificate("cc-draft", model_name="surface-cnn", version="0")
    await governance.settle(opened.transaction_id, PROJECT)
    proc = governance.network.bcmlp("verify", "model", "cc-draft", "--project", PROJECT)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert verdicts(proc.stdout) == {"model certificate cc-draft": "uncertified"}, proc.stdout
    assert "it is open: 0 of 9 phases, 0 of the" in proc.stdout


async def test_inference_waits_for_certification(certified: Certified) -> None:
    assert certified.status_before_approvals == "complete"
    assert "model used without a complete certificate" in certified.serving_refusal, certified.serving_refusal


async def test_the_certified_model_and_its_pipelines_verify_intact_online(
    governance: Governance, certified: Certified
) -> None:
    every = {
        f"model certificate {CERT}": "intact",
        f"artifact {MODEL}": "intact",
        f"artifact {DATASET}": "intact",
        f"artifact {RAW}": "intact",
    }
    for subject, subject_id, expected in [
        ("model", CERT, every),
        ("pipeline", SERVING, {f"pipeline certificate {SERVING}": "intact", **every}),
        ("pipeline", TRAINING, {f"pipeline certificate {TRAINING}": "intact", **every}),
        ("tx", certified.training_phase_tx, every),
    ]:
        proc = governance.network.bcmlp(
            "verify", subject, subject_id, "--project", PROJECT, "--organisation", "ConditionMonitor"
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert verdicts(proc.stdout) == expected, proc.stdout


async def test_bundles_of_the_model_and_the_pipeline_verify_offline(
    governance: Governance, certified: Certified, tmp_path: Path
) -> None:
    network = governance.network
    roots = tmp_path / "roots.json"
    assert network.bcmlp("roots", "-o", str(roots)).returncode == 0
    for subject, subject_id, records in [("model", CERT, 4), ("pipeline", SERVING, 1)]:
        bundle = tmp_path / f"{subject}.json"
        proc = network.bcmlp("export", subject, subject_id, "--project", PROJECT, "-o", str(bundle))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        proc = network.bcmlp("verify", "--bundle", str(bundle), "--roots", str(roots))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        # the model certificate's record as each of its transactions wrote it, and each artifact
        assert proc.stdout.count("intact") >= records, proc.stdout
        assert "0 altered" in proc.stdout, proc.stdout


async def test_attestations_read_from_the_ledger_validate(
    governance: Governance, certified: Certified, tmp_path: Path
) -> None:
    network = governance.network
    statements = {}
    for subject, cert_id in (("model", CERT), ("pipeline", SERVING)):
        out = tmp_path / f"{subject}.intoto.json"
        proc = network.bcmlp("attest", subject, cert_id, "--project", PROJECT, "-o", str(out))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        statements[subject] = json.loads(out.read_text())
        validate(statements[subject])
    [subject] = statements["model"]["subject"]
    assert subject["digest"] == {"sha256": certified.model.sha256}
    cited = statements["model"]["predicate"]["buildDefinition"]["resolvedDependencies"]
    assert {d["name"] for d in cited} == {RAW, DATASET, MODEL}
    assert all(d["uri"].startswith("ipfs://") for d in cited), cited

    founder = governance.founder("ModelTrainer").provenance(PROJECT)
    opened = await founder.open_model_certificate("cc-draft-2", model_name="surface-cnn", version="0")
    await governance.settle(opened.transaction_id, PROJECT)
    for cert_id, message in [
        ("cc-draft-2", "is 'open', not certified: only certified models are attested"),
        ("cc-nothing", "project inspection has no model certificate 'cc-nothing'"),
    ]:
        proc = network.bcmlp("attest", "model", cert_id, "--project", PROJECT, "-o", str(tmp_path / cert_id))
        assert proc.returncode == 2 and message in proc.stderr, proc.stdout + proc.stderr
        assert not (tmp_path / cert_id).exists()


class _Rows(html.parser.HTMLParser):
    """_Rows reads an HTML report's tables: section title -> rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._title, self._in_title, self._in_cell, self._row = "", False, False, list[str]()

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "h2":
            self._in_title, self._title = True, ""
        elif tag == "tr":
            self._row = []
        elif tag == "td":
            self._row.append("")
            self._in_cell = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_title = False
            self.tables[self._title] = []
        elif tag == "td":
            self._in_cell = False
        elif tag == "tr" and self._row:
            self.tables[self._title].append(self._row)
            self._row = []

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title += data
        elif self._in_cell:
            self._row[-1] += data


async def test_the_audit_report_lists_the_nine_phases_as_the_ledger_holds_them(
    governance: Governance, certified: Certified
) -> None:
    """An auditor's report through its service: the nine phases, each writer with its trust when it wrote
    (as the record keeps it), the block and transaction of each, every artifact's verdict; as HTML (its
    rows compared with the ledger) and as PDF (rendered to page images, its text checked)."""
    network, org = governance.network, "ConditionMonitor"
    client = founder_client(network, org)
    founder = governance.founder(org)
    cert = await founder.provenance(PROJECT).get_model_certificate(CERT)
    try:
        path = f"/v1/projects/{PROJECT}/reports/model/{CERT}"
        status, body, headers = await client.fetch(path)
        assert (status, headers["Content-Type"].split(";")[0]) == (200, "text/html"), body[:500]
        page = _Rows()
        page.feed(body.decode())
        phases = page.tables[SECTION_PHASES]
        assert [row[0] for row in phases] == list(PHASES)
        for row, phase in zip(phases, cert.phases, strict=True):
            block = await block_number(founder, PROJECT, phase.tx_id)
            trust = f"{format(phase.creator_trust.trust, 'f')} ({phase.creator_trust.level})"
            assert row[1:4] == [phase.creator_member, phase.creator_msp, trust], row
            assert row[5:7] == [str(block), phase.tx_id] and block > 0, row
        assert [row[1] for row in phases] == ["cc-company"] * 2 + ["cc-scientist"] * 5 + [
            "cc-company",
            "cc-monitor",
        ]
        approvals = page.tables[SECTION_APPROVALS]
        assert [row[1] for row in approvals] == [
            cert.creator_member,
            *(a.approver_member for a in cert.approvals),
        ]
        verdicts_shown = {row[0]: row[1] for row in page.tables[SECTION_VERDICTS]}
        assert verdicts_shown == {
            f"model certificate {CERT}": "intact",
            f"artifact {RAW}": "intact",
            f"artifact {DATASET}": "intact",
            f"artifact {MODEL}": "intact",
        }

        status, body, headers = await client.fetch(path, format="pdf")
        assert (status, headers["Content-Type"]) == (200, "application/pdf"), body[:500]
        pages = pdf_pages(body)
        assert all(inked > 1000 for _, inked in pages)
        text = " ".join(t for t, _ in pages)
        for heading in (SECTION_SUMMARY, SECTION_PHASES, SECTION_APPROVALS, SECTION_VERDICTS):
            assert heading in text
        assert all(phase in text for phase in PHASES) and "every record intact" in text
        squeezed = "".join(text.split())  # long ids wrap inside their cells
        assert all(p.tx_id in squeezed for p in cert.phases)

        # A workpiece's (here: the model file's) report is its lineage.
        status, body, _ = await client.fetch(f"/v1/projects/{PROJECT}/reports/artifact/{MODEL}")
        page = _Rows()
        page.feed(body.decode())
        assert [row[0] for row in page.tables[SECTION_LINEAGE]] == [
            f"model {MODEL}",
            f"dataset {DATASET}",
            f"raw-data {RAW}",
        ], page.tables
        status, problem, _ = await client.call("GET", f"/v1/projects/{PROJECT}/reports/model/cc-no-such")
        assert (status, problem["code"]) == (404, "not_found"), problem
    finally:
        await client.close()


async def test_one_workpieces_result_is_proven_from_its_batch_alone(
    governance: Governance, certified: Certified, store: ArtifactStore, tmp_path: Path
) -> None:
    """The inference owner records a batch of workpiece results (the results encrypted as one artifact,
    their Merkle root on the ledger, naming the certified model); one workpiece's proof verifies against
    the recorded root with no other result, and fails after its verdict or its batch changes. Another
    member cannot vouch for those results."""
    network = governance.network
    results = [
        {
            "workpieceId": f"cc-wp-{i}",
            "label": "scratches" if i % 4 else "defect-free",
            "sortOut": bool(i % 4),
        }
        for i in range(13)
    ]
    merkle_root, proofs = batch_proofs("cc-batch-1", results)
    async with open_ledger(
        network.consortium, organisation="Manufacturer", identity_dir=certified.company_dir
    ) as company:

        async def recorded_batch(batch_id: str, batch: list[dict[str, object]]) -> None:
            """recorded_batch stores batch's results as the company member and records their root."""
            results_id = batch_id.replace("batch", "results")
            await store_and_record(
                governance, store, company, results_id, canonical({"results": batch}), "inference-results"
            )
            root, _ = batch_proofs(batch_id, batch)
            committed = await company.provenance(PROJECT).record_result_batch(
                batch_id,
                merkle_root=root.hex(),
                size=len(batch),
                results_artifact_id=results_id,
                model_cert_id=CERT,
            )
            await governance.settle(committed.transaction_id, PROJECT)

        await recorded_batch("cc-batch-1", results)
        refused = await refusal(
            governance.founder("ModelTrainer")
            .provenance(PROJECT)
            .record_result_batch(
                "cc-batch-x",
                merkle_root=merkle_root.hex(),
                size=13,
                results_artifact_id="cc-results-1",
                model_cert_id=CERT,
            )
        )
        assert "a member records batches of its own results only" in refused, refused
        await recorded_batch("cc-batch-2", results[:12])

    def check(proof: InclusionProof) -> subprocess.CompletedProcess[str]:
        path = tmp_path / f"proof-{secrets.token_hex(4)}.json"
        path.write_text(proof.to_json())
        return network.bcmlp(
            "verify",
            "workpiece",
            proof.workpiece_id,
            "--proof",
            str(path),
            "--project",
            PROJECT,
            "--organisation",
            "ConditionMonitor",
        )

    proof = proofs[7]
    proc = check(proof)
    assert proc.returncode == 0 and proc.stdout.startswith("intact"), proc.stdout + proc.stderr
    assert f"model certificate {CERT}" in proc.stdout
    for bad in (
        dataclasses.replace(proof, result={**proof.result, "sortOut": not proof.result["sortOut"]}),
        dataclasses.replace(proof, batch_id="cc-batch-2"),
        dataclasses.replace(proof, size=14),
    ):
        proc = check(bad)
        assert proc.returncode == 1 and proc.stdout.startswith("altered"), proc.stdout + proc.stderr
    proc = check(dataclasses.replace(proof, batch_id="cc-batch-none"))
    assert proc.returncode == 2 and "no result batch" in proc.stderr, proc.stderr


async def test_the_inference_stage_records_its_batch_through_its_service(
    governance: Governance, certified: Certified, tmp_path: Path
) -> None:
    """The Manufacturer's founder stores a batch's results and records its root through its own service;
    another organisation's member cannot vouch for them; the batch is read back through the service and
    a workpiece of it is proven with `bcmlp verify workpiece`."""
    network = governance.network
    clients = {}
    for org in ("Manufacturer", "ConditionMonitor"):
        clients[org] = founder_client(network, org)
    results = [{"workpieceId": f"cc-svc-{i}", "label": "patches", "sortOut": True} for i in range(5)]
    merkle_root, proofs = batch_proofs("cc-batch-svc", results)
    batches = f"/v1/projects/{PROJECT}/result-batches"
    body = {
        "batchId": "cc-batch-svc",
        "merkleRoot": merkle_root.hex(),
        "size": 5,
        "resultsArtifactId": "cc-results-svc",
        "modelCertId": CERT,
    }
    try:
        manufacturer = clients["Manufacturer"]
        async with manufacturer.session.post(
            f"{manufacturer.url}/v1/projects/{PROJECT}/artifacts",
            params={"artifactId": "cc-results-svc", "kind": "inference-results"},
            data=canonical({"results": results}),
            headers={"Content-Type": "application/json"},
        ) as response:
            stored = await response.json()
            assert response.status == 201, stored
        await governance.settle(stored["transactionId"], PROJECT)
        status, problem, _ = await clients["ConditionMonitor"].call("POST", batches, body)
        assert (status, problem["code"]) == (403, "forbidden"), problem
        status, problem, _ = await manufacturer.call("POST", batches, {**body, "modelCertId": "cc-nothing"})
        assert (status, problem["code"]) == (404, "not_found"), problem
        status, committed, _ = await manufacturer.call("POST", batches, body)
        assert status == 201, committed
        await governance.settle(committed["transactionId"], PROJECT)
        status, batch, _ = await clients["ConditionMonitor"].call("GET", f"{batches}/cc-batch-svc")
        assert (status, batch["merkleRoot"], batch["modelSha256"]) == (
            200,
            merkle_root.hex(),
            certified.model.sha256,
        )
    finally:
        for client in clients.values():
            await client.close()
    (tmp_path / "proof.json").write_text(proofs[2].to_json())
    proc = network.bcmlp(
        "verify", "workpiece", "cc-svc-2", "--proof", str(tmp_path / "proof.json"), "--project", PROJECT
    )
    assert proc.returncode == 0 and proc.stdout.startswith("intact"), proc.stdout + proc.stderr


async def test_the_pipeline_certificate_is_read_from_what_runs(
    governance: Governance, certified: Certified
) -> None:
    """The pipeline's birth certificate made by pipeline/birth.py from this environment is accepted by
    the contract (its stage order and data flow) and keeps, per component, the installed versions."""
    settings = {"training": TrainingConfig(), "heldOut": 0.25, "drift": Thresholds()}
    async with open_ledger(
        governance.network.consortium, organisation="Manufacturer", identity_dir=certified.company_dir
    ) as company:
        provenance = company.provenance(PROJECT)
        committed = await provenance.record_pipeline_certificate(
            "cc-pipeline-as-run",
            version="1",
            components=birth.components(CERT),
            configuration=birth.configuration(settings),
        )
        await governance.settle(committed.transaction_id, PROJECT)
        recorded = await provenance.get_pipeline_certificate("cc-pipeline-as-run")
    assert [c.name for c in recorded.components] == [s.name for s in birth.STAGES]
    train = next(c for c in recorded.components if c.name == "train")
    assert SoftwareVersion("keras", importlib.metadata.version("keras")) in train.software
    assert (train.model, train.model_sha256) == (CERT, certified.model.sha256)
    assert recorded.configuration == birth.configuration(settings)


async def test_the_inference_engine_runs_only_a_model_the_ledger_stands_behind(
    governance: Governance, certified: Certified
) -> None:
    """The engine asks its service whether the model may run: the certified one may; a draft may not
    (certificate_incomplete); once the company certificate the monitoring phase cited is revoked, the
    certified one may not either (certificate_revoked), and the engine refuses to open it."""
    network, org = governance.network, "ConditionMonitor"
    client = founder_client(network, org)
    models = f"/v1/projects/{PROJECT}/models"
    try:
        status, answer, _ = await client.call("GET", f"{models}/{CERT}/usability")
        assert (status, answer["usable"], answer["refusals"]) == (200, True, []), answer
        assert answer["modelSha256"] == certified.model.sha256
        opened = (
            await governance.founder("Manufacturer")
            .provenance(PROJECT)
            .open_model_certificate("cc-draft-usability", model_name="surface-cnn", version="0")
        )
        await governance.settle(opened.transaction_id, PROJECT)
        status, draft, _ = await client.call("GET", f"{models}/cc-draft-usability/usability")
        assert [r["code"] for r in draft["refusals"]] == ["certificate_incomplete"], draft

        revoked = await governance.founder(org).registry.revoke_certificate(
            "cc-company-conditionmonitor", reason="the company's audit lapsed"
        )
        await governance.settle(revoked.transaction_id)
        status, answer, _ = await client.call("GET", f"{models}/{CERT}/usability")
        assert not answer["usable"], answer
        assert [r["code"] for r in answer["refusals"]] == ["certificate_revoked"], answer
        assert "phase monitoring cites registry certificate cc-company-conditionmonitor" in str(answer)
        with pytest.raises(InferenceRefused) as refused:
            CertifiedInspector.open(Usability.from_json(answer), Path("model.keras"))
        assert refused.value.code == "certificate_revoked"
    finally:
        await client.close()


async def test_a_substituted_model_fails_the_pipelines_verification(
    governance: Governance, certified: Certified, store: ArtifactStore
) -> None:
    """Runs last in this module: it leaves the model's stored bytes replaced."""
    other = await store.put(
        "cc-other-model", b"a model trained elsewhere " * 2300, new_data_key(), home="Manufacturer"
    )
    [source, *_] = governance.network.block_files(other)
    for path in governance.network.block_files(certified.model):
        path.write_bytes(source.read_bytes())
    proc = governance.network.bcmlp("verify", "pipeline", SERVING, "--project", PROJECT)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = verdicts(proc.stdout)
    assert found[f"artifact {MODEL}"] == "altered", proc.stdout
    assert found[f"artifact {DATASET}"] == found[f"model certificate {CERT}"] == "intact", proc.stdout
