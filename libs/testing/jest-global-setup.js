// Integration tests run against the real local PostgreSQL and NATS JetStream.
// Fail once, early, with the fix, instead of every test timing out.
const net = require('node:net');

function probe(host, port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

module.exports = async function globalSetup() {
  const missing = [];
  if (!(await probe('127.0.0.1', 5432))) {
    missing.push('PostgreSQL on 127.0.0.1:5432 (start: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)');
  }
  if (!(await probe('127.0.0.1', 4222))) {
    missing.push('NATS JetStream on 127.0.0.1:4222 (start: nats-server -a 127.0.0.1 -p 4222 -js, or apt-get install nats-server)');
  }
  if (missing.length > 0) {
    throw new Error(`Integration tests need real local servers that are not answering:\n  - ${missing.join('\n  - ')}`);
  }
};
