// Preloaded into Caliper's processes (NODE_OPTIONS=--require) by bench/caliper.py.
//
// Caliper 0.6.0's peer-gateway connector opens its gRPC connections with the peer's TLS root only
// (grpc.credentials.createSsl(root)), while bcmlp's peers require mutual TLS, as every Fabric peer should.
// This gives grpc-js the member's TLS client pair (BCMLP_CALIPER_TLS_KEY, BCMLP_CALIPER_TLS_CERT) wherever
// a caller gives a root without one; nothing else of Caliper changes.
'use strict';
const fs = require('fs');
const grpc = require('@grpc/grpc-js');

const key = fs.readFileSync(process.env.BCMLP_CALIPER_TLS_KEY);
const cert = fs.readFileSync(process.env.BCMLP_CALIPER_TLS_CERT);
const createSsl = grpc.credentials.createSsl;
grpc.credentials.createSsl = (root, privateKey, certChain, ...rest) =>
    privateKey ? createSsl(root, privateKey, certChain, ...rest) : createSsl(root, key, cert, ...rest);
