// Which service a Query-protocol call is for: SQS and SNS share the form-encoded wire (and the
// endpoint), so the router asks these after reading the parameters.
//
// Pure functions; thread-safe. No durability.
#pragma once

#include "server/http_types.h"
#include "server/protocol/form.h"

namespace seglog::server::protocol {

// True when the call is SNS's: its SigV4 credential scope names "sns" (a scope naming "sqs":
// false); unsigned, Version=2010-03-31 (SQS's 2012-11-05: false); else an Action that only
// SNS's model has.
bool IsSnsQuery(const HttpRequest& r, const FormParams& params);

// SNS's UnsubscribeURL: a GET of Action=Unsubscribe carrying no signature (header or
// presigned), which SNS answers without authentication (the subscription ARN's random id is
// the capability).
bool IsUnsignedUnsubscribe(const HttpRequest& r, const FormParams& params);

}  // namespace seglog::server::protocol
