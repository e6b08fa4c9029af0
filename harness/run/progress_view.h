// The live progress display of `r1eval run` on a terminal: a pure rendering of the counts into lines, the
// escape sequence that redraws them in place, and the terminal queries (kept thin, not tested).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "harness/run/progress.h"

namespace r1eval::harness::run {

// "1m05s", or "2h03m" from an hour on.
std::string duration_text(double seconds);

// The block for a terminal `width` columns wide: a first line for the whole run (samples done/total,
// tokens/s, ETA), then one line per task with a bar of its samples done/total, the tokens/s and ETA of
// its samples generated so far, and its running pass@1. No line is longer than `width` (a narrow terminal
// gets a shorter bar, then cut lines); plain text, no escape sequences.
std::vector<std::string> render_progress(const ProgressSnapshot& snapshot, std::size_t width);

// What to write to replace a block of `previous_lines` lines (0 for the first draw) just above the cursor
// with `lines`: cursor up, then each line cleared and rewritten. The cursor ends below the new block.
std::string redraw_sequence(std::size_t previous_lines, const std::vector<std::string>& lines);

// Whether standard error is a terminal that understands the redraw (not TERM=dumb).
bool stderr_is_live_terminal();

// Columns of the terminal on standard error; 80 when unknown.
std::size_t terminal_width();

}  // namespace r1eval::harness::run
