# Tests of study/plot.py and of a sweep through a real local Slurm (helper C's
# part of issue 10). Included from study/CMakeLists.txt.

# plot.py runs on the system Python, where python3-matplotlib is installed
# (scripts/install-deps); waves/ looks it up the same way (cached).
find_program(RXPATH_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(RXPATH_SYSTEM_PYTHON3)
  add_test(NAME study_plot_test
    COMMAND ${RXPATH_SYSTEM_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/tests/plot_test.py
            ${CMAKE_CURRENT_SOURCE_DIR}/plot.py ${CMAKE_CURRENT_BINARY_DIR}/plot_test)
  set_tests_properties(study_plot_test PROPERTIES TIMEOUT 120 LABELS study)
endif()

# A sweep through a real one-node Slurm (scripts/slurm-local, root and the
# Slurm packages needed: without them the test fails and says why) gives the
# same results.csv as the local sweep. Serial: it owns ports 16817/16818.
add_test(NAME study_slurm_test
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/slurm_test.sh $<TARGET_FILE:rxpath>
          ${PROJECT_SOURCE_DIR}/scripts/slurm-local ${CMAKE_CURRENT_BINARY_DIR}/slurm_test)
set_tests_properties(study_slurm_test PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE LABELS "study;slurm")
