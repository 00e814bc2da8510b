// Caliper workload module of bench/caliper.py: each transaction is provenance:RecordArtifact with the
// round's arguments, "{n}" replaced by an artifact id of its own (the round's prefix, worker, count).
'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class RecordArtifact extends WorkloadModuleBase {
    constructor() {
        super();
        this.sent = 0;
    }

    async submitTransaction() {
        this.sent += 1;
        const { prefix, channel, invoker, msp, args } = this.roundArguments;
        const id = `${prefix}-${this.workerIndex}-${this.sent}`;
        await this.sutAdapter.sendRequests({
            channel,
            contractId: 'provenance',
            contractFunction: 'provenance:RecordArtifact',
            contractArguments: args.map((a) => (a === '{n}' ? id : a)),
            invokerIdentity: invoker,
            invokerMspId: msp,
            readOnly: false,
        });
    }
}

module.exports.createWorkloadModule = () => new RecordArtifact();
