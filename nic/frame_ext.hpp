// SPDX-License-Identifier: MIT
// Frame metadata that travels with a frame on the NIC's wire socket, as a
// TLM-2.0 extension (never in address bits). The payload's data is the frame
// from the destination MAC to the end of the payload, without FCS unless
// fcs_included; the annotated delay of b_transport gives the wire time at
// which the frame's first character (/S/) should appear.
#pragma once

#include <cstdint>

#include <tlm>

namespace rxpath::nic {

struct FrameExt : tlm::tlm_extension<FrameExt> {
  uint64_t id = 0;            // the traffic source's frame number (journey, scoreboard)
  bool fcs_included = false;  // data already ends with its 4 FCS bytes
  bool bad_fcs = false;       // send an inverted FCS
  int error_at = -1;          // replace data byte i by the /E/ error character
  bool bad_preamble = false;  // corrupt one preamble byte
  bool bad_sfd = false;       // corrupt the SFD

  tlm::tlm_extension_base* clone() const override { return new FrameExt(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override { *this = static_cast<const FrameExt&>(other); }
};

}  // namespace rxpath::nic
