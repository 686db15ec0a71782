// SPDX-License-Identifier: MIT
// Escaping for a double-quoted string, valid both as a JSON string (RFC 8259
// section 7) and as a TOML basic string (TOML 1.0 "String"): the two formats
// agree on \" \\ \n \t \r and \uXXXX, and each forbids raw control
// characters (TOML also DEL, which JSON accepts escaped too).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace rxpath::common {

// Appends `s` to `out` with what would end or break the string escaped (no
// surrounding quotes).
inline void append_escaped(std::string& out, std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          out += b;
        } else {
          out += ch;
        }
    }
  }
}

// `s` as an error message echoes it: whole when short, else its start and
// end around an ellipsis with the full length named, so a value pasted by
// mistake (a file's contents, a runaway shell expansion) does not bury the
// message. Cut at byte boundaries that do not split a UTF-8 sequence.
inline std::string clip(std::string_view s, size_t max = 80) {
  if (s.size() <= max) return std::string(s);
  auto boundary = [&](size_t i) {  // back to the first byte of a UTF-8 sequence
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) --i;
    return i;
  };
  const size_t head = boundary(max * 2 / 3), tail = boundary(s.size() - max / 4);
  return std::string(s.substr(0, head)) + "..." + std::string(s.substr(tail)) + " (" + std::to_string(s.size()) +
         " bytes)";
}

}  // namespace rxpath::common
