// Pictures of a run: the space-time diagram of `lockstep view` (one
// self-contained HTML file) and the ShiViz log of `dump-trace --shiviz`.
// Both are built from the trace's schedule rows and step facts: one lane
// per process (grouped by node), arrows for what made a step happen (the
// message a receive took, the spawn a start follows, the signal an exit
// follows, the send a delivery carries, the timer a firing was armed by).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/trace.h"

namespace lockstep {

// Where a step is drawn and what joins it to others.
struct ViewStep {
  uint32_t step = 0;
  int lane = -1;         // index into ViewModel::lanes; -1: drawn as a band across all lanes
  int peer_lane = -1;    // the other process's lane, -1 if none
  bool in_slice = true;  // happens before the failure
  bool failed = false;
  bool dropped = false;  // a delivery that did not arrive (no such name, the receiver dead, a partition)
};

enum class ArrowKind : uint8_t { kMessage, kDelivery, kSpawn, kSignal, kTimer };

struct ViewArrow {
  uint32_t from = 0;  // step numbers
  uint32_t to = 0;
  ArrowKind kind = ArrowKind::kMessage;
};

struct ViewLane {
  int64_t pid = 0;
  std::string label;  // "P3@b(replica)"
  std::string node;   // "" when the test has no nodes
};

struct ViewModel {
  std::vector<ViewLane> lanes;    // grouped by node (first appearance), then by pid
  std::vector<ViewStep> steps;    // the drawn steps, in order
  std::vector<ViewArrow> arrows;  // both ends drawn, both on a lane
  // A step's direct happens-before dependencies on other lanes that are not
  // an arrow: the shared state (a table key, an atomic, a name) it read or
  // wrote after another process did.
  std::vector<ViewArrow> state_edges;
  // Sends (and deliveries) whose message no drawn step took: still queued
  // when the run ended, or dropped.
  std::vector<uint32_t> unreceived;
  size_t total_steps = 0;
};

struct ViewOptions {
  bool slice_only = false;   // draw only the causal slice
  size_t max_steps = 20000;  // refuse to draw more (the file and the browser would choke)
};

// The lanes, steps and arrows of `trace`.
ViewModel build_view(const Trace& trace, const ViewOptions& options);

// The self-contained HTML page (no network, no external scripts or fonts).
// Fails when more than options.max_steps steps would be drawn.
Result<std::string> render_view_html(const Trace& trace, const ViewOptions& options,
                                     ViewModel* model_out = nullptr);

// The run as a ShiViz log: the parser's regular expression, an empty
// delimiter line, then two lines per step (what happened; host and vector
// clock). Hosts are the lanes; vector clocks follow happens-before.
std::string render_shiviz(const Trace& trace);

// "message", "delivery", "spawn", "signal", "timer".
std::string_view arrow_kind_name(ArrowKind kind);

}  // namespace lockstep
