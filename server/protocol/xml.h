// Minimal XML text output for the Query protocol's responses: escaping that always yields
// well-formed XML 1.0. '&', '<', '>', '"', '\'' become entities and '\r' becomes "&#xD;" (a
// parser would otherwise normalize it to '\n' and change a message body); a character XML 1.0
// cannot carry (controls other than tab/LF/CR, U+FFFE/U+FFFF) and every byte of malformed
// UTF-8 become U+FFFD. SQS restricts message text so that this never changes a valid body.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace seglog::server::protocol {

void AppendXmlEscaped(std::string* out, std::string_view text);

// Appends <name>escaped text</name>.
void AppendXmlElement(std::string* out, std::string_view name, std::string_view text);

}  // namespace seglog::server::protocol
