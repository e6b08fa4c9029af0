// How fast this machine runs contest-style code compared with the machine the limits were set on.
#pragma once

namespace r1eval::graders::code {

struct Calibration {
  double reference_seconds;  // the loop's CPU time on the reference machine (the one the project was tuned on)
  double measured_seconds;   // its CPU time here (best of the repetitions)
  double speed_factor;       // measured / reference: > 1 means slower here; multiply time limits by it
};

// Runs a fixed integer reference loop (a dependent xorshift chain with table lookups, single thread)
// `repetitions` times and compares the best CPU time with the reference. Takes about
// repetitions x 0.11 s on the reference machine. Record speed_factor with the results it scaled.
Calibration calibrate(int repetitions = 3);

}  // namespace r1eval::graders::code
