# study/queueing_tests.cmake: the theory check of docs/theory/queueing.md,
# included by study/CMakeLists.txt. Both tests name their oracle: queueing
# theory (M/D/1/K, study/queueing.py), itself checked against M/D/1,
# Pollaczek-Khinchine, Erlang-B and an event simulation.
add_test(NAME queueing_model_test
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/tests/test_queueing.py)
set_tests_properties(queueing_model_test PROPERTIES TIMEOUT 60 LABELS study)

# a short queueing-md1k sweep (5 loads, 25 ms each) against M/D/1/K
add_test(NAME queueing_agreement_test
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/tests/queueing_agreement.py $<TARGET_FILE:rxpath>
          --tol 0.02 --keep ${CMAKE_CURRENT_BINARY_DIR}/queueing_agreement)
set_tests_properties(queueing_agreement_test PROPERTIES TIMEOUT 300 LABELS study)
