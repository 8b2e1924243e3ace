// What one subscription receives for one published message (SPEC.md Part VII, "Deliveries"):
// SNS's JSON "Notification" envelope with its signature, or with raw delivery the message
// alone and its attributes as queue attributes; MessageStructure=json's per-protocol choice;
// the callback retry schedule. Pure functions but for the signing key's files (Signer::Open).
//
// Thread-safety: a Signer is immutable after Open and may sign from any thread; the functions
// may be called from any thread (BuildEnvelope's signature cache is per thread, no locks).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/queue_format.h"
#include "format/status.h"
#include "format/types.h"

namespace seglog {

// The per-store signing key (RSA 2048) and its self-signed X.509 certificate, kept in
// `dir`/signing.key (mode 0600, written durably: temp file, fsync, rename, directory fsync) and
// `dir`/signing.crt. Made on first use; an unreadable or malformed key file is Corruption (never
// silently replaced: envelopes signed before would stop verifying).
class Signer {
 public:
  // Opens the key in `dir`, creating dir and key when missing and create is true (NotFound
  // otherwise).
  static Status Open(const std::string& dir, bool create, std::unique_ptr<Signer>* out);
  ~Signer();
  // SNS's signature over `string_to_sign`: version 1 = SHA1withRSA, 2 = SHA256withRSA;
  // base64.
  std::string Sign(std::string_view string_to_sign, uint32_t version) const;
  const std::string& certificate_pem() const;
  // Unique among the Signers of this process (never reused): keys caches of signatures.
  uint64_t instance_id() const { return instance_id_; }

  struct Key;

 private:
  Signer();
  std::unique_ptr<Key> key_;
  std::string cert_pem_;
  uint64_t instance_id_ = 0;
};

// A published message as the fan-out sees it (views into the topic's record).
struct NotificationSource {
  std::string_view topic_arn;
  std::string_view message_id;    // UUID text
  std::string_view subject;       // "" = none (the envelope omits Subject)
  std::string_view message;       // as published (for json_structure: the JSON object)
  bool json_structure = false;
  std::span<const format::MessageAttribute> attributes;
  TimestampMs published;          // the envelope's Timestamp (ISO 8601, ms, Z)
  std::string_view group_id;      // FIFO: SequenceNumber/MessageGroupId in the envelope
  std::string_view sequence_number;  // FIFO topics: 20 digits; "" otherwise
};

// For MessageStructure=json: checks `message` is a JSON object of string values with a
// "default" key (SNS's InvalidParameter text otherwise).
Status ValidateJsonStructure(std::string_view message);
// The text a subscription of `protocol_key` ("sqs", "callback") gets: for json_structure the
// value under that key, else under "default"; otherwise the message itself.
std::string MessageFor(const NotificationSource& src, std::string_view protocol_key);

struct EnvelopeUrls {
  std::string_view signing_cert_url;
  std::string_view unsubscribe_url;  // the subscription ARN is appended
  std::string_view subscription_arn;
};

// SNS's "Notification" JSON: Type, MessageId, [SequenceNumber,] TopicArn, [Subject,] Message,
// Timestamp, SignatureVersion, Signature, SigningCertURL, UnsubscribeURL, [MessageAttributes
// as {"Type", "Value"} (Binary: base64)]. Signed as SNS signs (the string to sign lists
// Message, MessageId, Subject (when present), Timestamp, TopicArn, Type, each "Name\nvalue\n").
// Deterministic: the same inputs give the same bytes (redelivery repeats them exactly).
// The signature covers no subscription field, so every subscription that gets the same message
// text gets the same signature: BuildEnvelope keeps the last signatures it made on each thread
// (up to 1,024 of them, 8 MiB of signed text; exact string match) and so signs (RSA, about
// 1 ms) once per message, not once per delivery.
std::string BuildEnvelope(const NotificationSource& src, std::string_view message,
                          const EnvelopeUrls& urls, const Signer& signer,
                          uint32_t signature_version);
// The same with the signature given (NotificationSignature's), for callers that keep their own.
std::string BuildEnvelopeWithSignature(const NotificationSource& src, std::string_view message,
                                       const EnvelopeUrls& urls, std::string_view signature,
                                       uint32_t signature_version);
// The envelope's Signature for (src, message): base64; "" for an unknown version.
std::string NotificationSignature(const NotificationSource& src, std::string_view message,
                                  const Signer& signer, uint32_t signature_version);

// Raw delivery into a queue: the attributes as queue message attributes, each with its type and
// custom label as published (String, Number, Binary, String.Array = String labelled "Array").
// SNS's rule: more than kTopicMaxRawAttributes (10) cannot be delivered raw into SQS -
// InvalidArgument (the fan-out sends the message to the redrive queue, or drops it). With
// MessageStructure=json no attributes are delivered (SNS's rule): pass an empty span.
Status RawQueueAttributes(std::span<const format::MessageAttribute> attributes,
                          std::vector<format::MessageAttribute>* out);

// What goes into a subscription's redrive (dead-letter) queue for a message that could not be
// delivered (SPEC.md Part VII, "Deliveries"): the body the subscription would have received
// (the signed envelope, or with raw delivery the message itself), and with raw delivery the
// message's attributes when SQS can carry them (at most kTopicMaxRawAttributes = 10; more: none,
// the body alone - the case that sent it there). SNS documents no further attributes; seglog
// adds none. Deterministic as BuildEnvelope. The attribute views point into src.attributes.
struct DeadLetterMessage {
  std::string body;
  std::vector<format::MessageAttribute> attributes;
};
DeadLetterMessage BuildDeadLetter(const NotificationSource& src, std::string_view message,
                                  bool raw_delivery, const EnvelopeUrls& urls,
                                  const Signer& signer, uint32_t signature_version);

// The callback retry schedule (SNS, AWS-managed endpoints): the delay in ms before attempt
// `attempt` (2 ..): 3 immediate retries, 2 at 1 s, 10 backing off from 1 s to 20 s, then every
// 20 s. -1 when attempt > max_attempts (give up: redrive or drop).
int64_t CallbackRetryDelayMs(uint32_t attempt, uint32_t max_attempts);

}  // namespace seglog
