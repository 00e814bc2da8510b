// gateway-bench for Node: submits transactions through the official Fabric Gateway client for Node
// (@hyperledger/fabric-gateway), with the same flags and the same JSON result as bench/clients/go, so that
// bench/clients.py measures bcmlp's Python client against both on the same transaction: committed and
// failed, wall seconds, each committed transaction's latency to its commit status, and the CPU seconds
// this process used while submitting (set-up left out).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers } from '@hyperledger/fabric-gateway';

function fail(message) {
    process.stderr.write(`gateway-bench (node): ${message}\n`);
    process.exit(2);
}

const { values: flags } = parseArgs({
    options: {
        peer: { type: 'string' },
        'tls-root': { type: 'string' },
        identity: { type: 'string' },
        msp: { type: 'string' },
        channel: { type: 'string' },
        chaincode: { type: 'string' },
        contract: { type: 'string', default: '' },
        function: { type: 'string' },
        args: { type: 'string', default: '[]' },
        count: { type: 'string', default: '100' },
        'in-flight': { type: 'string', default: '1' },
        prefix: { type: 'string', default: 'node' },
    },
});
for (const name of ['peer', 'tls-root', 'identity', 'msp', 'channel', 'chaincode', 'function']) {
    if (!flags[name]) fail(`--${name} is required`);
}
let template;
try {
    template = JSON.parse(flags.args);
} catch (error) {
    fail(`--args is not JSON: ${error.message}`);
}
if (!Array.isArray(template) || !template.every((a) => typeof a === 'string')) fail('--args must be a JSON array of strings');
const count = Number(flags.count);
const inFlight = Number(flags['in-flight']);
if (!(count >= 1 && inFlight >= 1)) fail('--count and --in-flight must be at least 1');

const dir = flags.identity;
const keystore = join(dir, 'msp', 'keystore');
const keys = readdirSync(keystore).filter((name) => name.endsWith('_sk'));
if (keys.length !== 1) fail(`${keystore} must hold exactly one *_sk key`);
const credentials = readFileSync(join(dir, 'msp', 'signcerts', 'cert.pem'));
new X509Certificate(credentials); // a readable certificate, or this throws naming the problem
const client = new grpc.Client(
    flags.peer,
    grpc.credentials.createSsl(
        readFileSync(flags['tls-root']),
        readFileSync(join(dir, 'tls', 'server.key')),
        readFileSync(join(dir, 'tls', 'server.crt')),
    ),
);
const gateway = connect({
    client,
    identity: { mspId: flags.msp, credentials },
    signer: signers.newPrivateKeySigner(createPrivateKey(readFileSync(join(keystore, keys[0])))),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 30000 }),
    endorseOptions: () => ({ deadline: Date.now() + 60000 }),
    submitOptions: () => ({ deadline: Date.now() + 60000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 120000 }),
});
const network = gateway.getNetwork(flags.channel);
const contract = flags.contract ? network.getContract(flags.chaincode, flags.contract) : network.getContract(flags.chaincode);

const out = { committed: 0, failed: 0, firstError: '', seconds: 0, latencies: [], cpuSeconds: 0 };
let next = 0;
async function worker() {
    while (next < count) {
        const n = next++;
        const args = template.map((a) => a.replaceAll('{n}', `${flags.prefix}-${n}`));
        const t0 = performance.now();
        try {
            const commit = await contract.submitAsync(flags.function, { arguments: args });
            const status = await commit.getStatus();
            if (!status.successful) throw new Error(`transaction ${status.transactionId} committed as ${status.code}`);
            out.committed++;
            out.latencies.push((performance.now() - t0) / 1000);
        } catch (error) {
            out.failed++;
            if (!out.firstError) out.firstError = String(error?.message ?? error);
        }
    }
}
const cpuBefore = process.cpuUsage();
const started = performance.now();
await Promise.all(Array.from({ length: inFlight }, worker));
out.seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
out.cpuSeconds = (cpu.user + cpu.system) / 1e6;
gateway.close();
client.close();
process.stdout.write(`${JSON.stringify(out)}\n`);
