// The SNS fan-out scenario through the AWS SDK for JavaScript v3 (@aws-sdk/client-sns, Query
// protocol; @aws-sdk/client-sqs for the queues), unchanged, pinned by
// tests/clients/package-lock.json: a topic, three queues (plain, raw, filtered), Publish and
// PublishBatch with message attributes, what each queue got; a FIFO topic into a FIFO queue in
// order; SNS's errors.
//
// usage: node sns_scenario.mjs ENDPOINT_URL      exit 0 pass, 1 fail, 77 skip (no SDK)
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { loadSdk } from "./sdk.mjs";

const snsSdk = await loadSdk("client-sns");
const sqsSdk = await loadSdk("client-sqs");
const {
  SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand, PublishBatchCommand,
  ListSubscriptionsByTopicCommand, GetTopicAttributesCommand, DeleteTopicCommand,
  NotFoundException, InvalidParameterException,
} = snsSdk;
const {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand,
  DeleteMessageCommand,
} = sqsSdk;

const endpoint = process.argv[2];
const sns = new SNSClient({ endpoint, region: "us-east-1", maxAttempts: 1 });
const sqs = new SQSClient({ endpoint, region: "us-east-1", maxAttempts: 1 });
const prefix = "nodesns" + randomUUID().slice(0, 8);
const moto = process.env.SEGLOG_CLIENTS_MOTO === "1";  // checking the scenario against moto_server
const account = moto ? "123456789012" : "000000000000";

async function queue(name, fifo = false) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({
    QueueName: name,
    // moto does not pass the topic's deduplication id on
    Attributes: fifo ? { FifoQueue: "true", ...(moto ? { ContentBasedDeduplication: "true" } : {}) }
      : {} }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl, AttributeNames: ["QueueArn"] }));
  return [QueueUrl, Attributes.QueueArn];
}

async function receiveAll(url, want) {
  const got = [];
  const deadline = Date.now() + 30000;
  while (got.length < want && Date.now() < deadline) {
    const r = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
      MessageAttributeNames: ["All"] }));
    for (const m of r.Messages ?? []) {
      got.push(m);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  assert.equal(got.length, want, `${url}: ${got.length} messages, expected ${want}`);
  const extra = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
  assert.equal((extra.Messages ?? []).length, 0, `${url}: an unexpected message`);
  return got;
}

const color = (c) => ({ color: { DataType: "String", StringValue: c } });

async function fanout() {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: prefix }));
  assert.equal(TopicArn, `arn:aws:sns:us-east-1:${account}:${prefix}`);
  const [[ua, aa], [ub, ab], [uc, ac]] = await Promise.all(
    ["-env", "-raw", "-red"].map((s) => queue(prefix + s)));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: aa }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: ab,
    Attributes: { RawMessageDelivery: "true" } }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: ac,
    Attributes: { FilterPolicy: JSON.stringify({ color: ["red"] }) } }));
  const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.deepEqual(subs.Subscriptions.map((s) => s.Endpoint).sort(), [aa, ab, ac].sort());
  const sent = {};
  const one = await sns.send(new PublishCommand({ TopicArn, Message: "m1", Subject: "s",
    MessageAttributes: color("red") }));
  sent.m1 = [one.MessageId, "red"];
  const batch = await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [
    { Id: "b1", Message: "b1", MessageAttributes: color("blue") },
    { Id: "b2", Message: "b2", MessageAttributes: color("red") }] }));
  assert.equal((batch.Failed ?? []).length, 0);
  for (const s of batch.Successful) sent[s.Id] = [s.MessageId, s.Id === "b1" ? "blue" : "red"];
  const envs = (await receiveAll(ua, 3)).map((m) => JSON.parse(m.Body));
  for (const e of envs) {
    assert.equal(e.Type, "Notification");
    assert.equal(e.TopicArn, TopicArn);
    assert.equal(e.MessageId, sent[e.Message][0]);
    assert.deepEqual(e.MessageAttributes.color, { Type: "String", Value: sent[e.Message][1] });
  }
  const raw = await receiveAll(ub, 3);
  assert.deepEqual(raw.map((m) => m.Body).sort(), ["b1", "b2", "m1"]);
  for (const m of raw) assert.equal(m.MessageAttributes.color.StringValue, sent[m.Body][1]);
  const red = (await receiveAll(uc, 2)).map((m) => JSON.parse(m.Body).Message).sort();
  assert.deepEqual(red, ["b2", "m1"]);
  const attrs = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
  if (!moto) assert.equal(attrs.Attributes.SubscriptionsConfirmed, "3");  // moto counts none
  return TopicArn;
}

async function fifo() {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: prefix + ".fifo",
    Attributes: { FifoTopic: "true", ContentBasedDeduplication: "true" } }));
  const [url, arn] = await queue(prefix + "-q.fifo", true);
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: arn }));
  for (let i = 0; i < 6; i++) {
    const r = await sns.send(new PublishCommand({ TopicArn, Message: `f${i}`,
      MessageGroupId: "g" }));
    if (!moto) assert.match(r.SequenceNumber, /^\d{20}$/);  // moto answers none
  }
  const got = (await receiveAll(url, 6)).map((m) => JSON.parse(m.Body).Message);
  assert.deepEqual(got, ["f0", "f1", "f2", "f3", "f4", "f5"]);
}

async function errors(TopicArn) {
  await assert.rejects(sns.send(new PublishCommand({ TopicArn: TopicArn + "-missing",
    Message: "x" })), (e) => e instanceof NotFoundException && e.$metadata.httpStatusCode === 404);
  const [, arn] = await queue(prefix + "-err");
  await assert.rejects(sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: arn,
    Attributes: { FilterPolicy: JSON.stringify({ price: [{ numeric: [">", "ten"] }] }) } })),
    (e) => e instanceof InvalidParameterException && e.message.includes("FilterPolicy") &&
      (moto || e.message.includes("price")));
  await sns.send(new DeleteTopicCommand({ TopicArn }));
}

const topic = await fanout();
await fifo();
await errors(topic);
console.log("sns node scenario: ok");
