// SPDX-License-Identifier: MIT
// rxpath sweep: runs a study's points as separate `rxpath run` processes
// (N at a time, locally, or as one Slurm job array), each into its own point
// folder made atomically, resumes where an interrupted study stopped, and
// merges the points' reports into results.csv and results.json.
#pragma once

#include <string>

#include "study/study.hpp"

namespace rxpath::study {

struct SweepOptions {
  std::string study;   // the study file (a new or resumed sweep)
  std::string dir;     // the output folder
  int jobs = 0;        // points at a time; 0: the number of cores
  bool force = false;  // discard the points of a changed study
  bool no_plot = false;
  bool quiet = false;    // no progress line
  bool dry_run = false;  // expand and check the study, print the number of runs, run nothing
  bool slurm = false;    // submit one job array instead of running here
  std::string partition, time;
  int max_parallel = 0;      // array tasks at a time (0: Slurm's choice)
  bool wait = false;         // with slurm: wait for the job, then collect
  std::string collect;       // merge DIR's points (no study file)
  int task = -1, tasks = 0;  // run the points with index % tasks == task of DIR
};

// The whole command; returns the exit status (0 all ok, 1 some points
// failed, 2 bad input, 130/143 interrupted). Errors go to stderr.
int sweep(const SweepOptions& o);

// rxpath plot DIR: python3 study/plot.py DIR (RXPATH_PLOT_PY overrides the path).
int plot(const std::string& dir);

// Merges DIR/points into DIR/results.csv and DIR/results.json; returns the
// number of runs that failed or are missing. Throws on an unreadable plan.
size_t merge(const std::string& dir);

// The sbatch script of one job array over DIR's plan.
std::string slurm_script(const std::string& exe, const std::string& dir, const std::string& name, size_t tasks,
                         int max_parallel, const std::string& partition, const std::string& time);

}  // namespace rxpath::study
