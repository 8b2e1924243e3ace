// The Kinesis scenario through the AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis, AWS JSON
// 1.1), unchanged, pinned by tests/clients/package-lock.json.
//
// usage: node kinesis_scenario.mjs ENDPOINT_URL      exit 0 pass, 1 fail, 77 skip (no SDK)
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { loadPackage, loadSdk } from "./sdk.mjs";

const {
  KinesisClient, CreateStreamCommand, DescribeStreamCommand, DescribeStreamSummaryCommand,
  ListStreamsCommand, ListShardsCommand, PutRecordCommand, PutRecordsCommand,
  GetShardIteratorCommand, GetRecordsCommand, IncreaseStreamRetentionPeriodCommand,
  DecreaseStreamRetentionPeriodCommand, DeleteStreamCommand, ResourceNotFoundException,
  waitUntilStreamExists, waitUntilStreamNotExists,
} = await loadSdk("client-kinesis");

const endpoint = process.argv[2];
// client-kinesis defaults to HTTP/2 (for SubscribeToShard), which over http:// means h2c with
// prior knowledge; seglogd (as moto_server) speaks HTTP/1.1, so this client is configured with
// the SDK's own HTTP/1.1 handler, as for any HTTP/1.1 endpoint.
const { NodeHttpHandler } = await loadPackage("@smithy/node-http-handler");
const kin = new KinesisClient({ endpoint, region: "us-east-1", maxAttempts: 1,
                                requestHandler: new NodeHttpHandler() });
const StreamName = "nkin" + randomUUID().slice(0, 8);
const send = (C, input) => kin.send(new C(input));
const text = (r) => Buffer.from(r.Data).toString();

async function readFrom(ShardId, ShardIteratorType, n, extra = {}) {
  let it = (await send(GetShardIteratorCommand, { StreamName, ShardId, ShardIteratorType, ...extra }))
    .ShardIterator;
  const got = [];
  for (let i = 0; i < 20 && got.length < n; i++) {
    const r = await send(GetRecordsCommand, { ShardIterator: it, Limit: 100 });
    assert.equal(typeof r.MillisBehindLatest, "number", "MillisBehindLatest");
    got.push(...r.Records);
    it = r.NextShardIterator;
    assert.ok(it, "an open shard's GetRecords returned no NextShardIterator");
  }
  return { got, it };
}

await send(CreateStreamCommand, { StreamName, ShardCount: 2 });
await waitUntilStreamExists({ client: kin, minDelay: 1, maxWaitTime: 30 }, { StreamName });
const d = (await send(DescribeStreamCommand, { StreamName })).StreamDescription;
assert.equal(d.StreamStatus, "ACTIVE");
assert.deepEqual(d.Shards.map((s) => s.ShardId), ["shardId-000000000000", "shardId-000000000001"]);
const keys = d.Shards.map((s) => s.HashKeyRange.StartingHashKey);
const sum = (await send(DescribeStreamSummaryCommand, { StreamName })).StreamDescriptionSummary;
assert.equal(sum.OpenShardCount, 2);
assert.ok((await send(ListStreamsCommand, {})).StreamNames.includes(StreamName), "ListStreams");
assert.equal((await send(ListShardsCommand, { StreamName })).Shards.length, 2, "ListShards");
console.log("ok - create, waiter, describe, list");

const one = await send(PutRecordCommand, {
  StreamName, Data: Buffer.from("first"), PartitionKey: "pk", ExplicitHashKey: keys[0] });
assert.equal(one.ShardId, "shardId-000000000000");
const pr = await send(PutRecordsCommand, { StreamName, Records: [0, 1, 2, 3].map((i) => ({
  Data: Buffer.from(`r${i}`), PartitionKey: `k${i}`, ExplicitHashKey: keys[i % 2] })) });
assert.equal(pr.FailedRecordCount ?? 0, 0, "FailedRecordCount");
assert.deepEqual(pr.Records.map((r) => r.ShardId),
                 ["shardId-000000000000", "shardId-000000000001", "shardId-000000000000",
                  "shardId-000000000001"], "PutRecords' shards");
assert.ok(BigInt(one.SequenceNumber) < BigInt(pr.Records[0].SequenceNumber) &&
          BigInt(pr.Records[0].SequenceNumber) < BigInt(pr.Records[2].SequenceNumber),
          "sequence numbers increase per shard");
console.log("ok - PutRecord, PutRecords");

let r = await readFrom("shardId-000000000000", "TRIM_HORIZON", 3);
assert.deepEqual(r.got.map(text), ["first", "r0", "r2"], "shard 0 from TRIM_HORIZON");
assert.deepEqual(r.got.map((x) => x.SequenceNumber),
                 [one.SequenceNumber, pr.Records[0].SequenceNumber, pr.Records[2].SequenceNumber]);
r = await readFrom("shardId-000000000000", "AT_SEQUENCE_NUMBER", 2,
                   { StartingSequenceNumber: pr.Records[0].SequenceNumber });
assert.deepEqual(r.got.map(text), ["r0", "r2"], "AT_SEQUENCE_NUMBER");
r = await readFrom("shardId-000000000000", "AFTER_SEQUENCE_NUMBER", 1,
                   { StartingSequenceNumber: pr.Records[0].SequenceNumber });
assert.deepEqual(r.got.map(text), ["r2"], "AFTER_SEQUENCE_NUMBER");
r = await readFrom("shardId-000000000001", "LATEST", 0);
let g = await send(GetRecordsCommand, { ShardIterator: r.it });
assert.deepEqual(g.Records, [], "LATEST reads nothing old");
await send(PutRecordCommand, { StreamName, Data: Buffer.from("late"), PartitionKey: "x",
                               ExplicitHashKey: keys[1] });
let it = g.NextShardIterator;
let late = [];
for (let i = 0; i < 10 && late.length === 0; i++) {
  g = await send(GetRecordsCommand, { ShardIterator: it });
  late = g.Records;
  it = g.NextShardIterator;
}
assert.deepEqual(late.map(text), ["late"], "the record put after LATEST");
console.log("ok - iterators, GetRecords chaining");

await send(IncreaseStreamRetentionPeriodCommand, { StreamName, RetentionPeriodHours: 72 });
let h = (await send(DescribeStreamSummaryCommand, { StreamName })).StreamDescriptionSummary;
assert.equal(h.RetentionPeriodHours, 72);
await send(DecreaseStreamRetentionPeriodCommand, { StreamName, RetentionPeriodHours: 24 });
h = (await send(DescribeStreamSummaryCommand, { StreamName })).StreamDescriptionSummary;
assert.equal(h.RetentionPeriodHours, 24);
try {
  await send(DescribeStreamCommand, { StreamName: StreamName + "-missing" });
  assert.fail("DescribeStream of a missing stream succeeded");
} catch (e) {
  assert.ok(e instanceof ResourceNotFoundException, `missing stream: ${e.name} ${e.message}`);
}
await send(DeleteStreamCommand, { StreamName });
await waitUntilStreamNotExists({ client: kin, minDelay: 1, maxWaitTime: 30 }, { StreamName });
console.log("ok - retention, ResourceNotFoundException, delete");
console.log("PASS");
