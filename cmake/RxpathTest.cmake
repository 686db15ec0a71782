# rxpath_add_test(NAME <name> SOURCES <src...> [LIBS <lib...>] [TIMEOUT <s>] [ARGS <arg...>] [LABELS <l...>])
#
# One test executable, one add_test() with a TIMEOUT. Boost.Test is linked
# dynamically; a SystemC test includes testing/sc_test.hpp and
# links rxpath_testing_main, which brings the sc_main running the tests.
function(rxpath_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;ARGS;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_compile_definitions(${T_NAME} PRIVATE BOOST_TEST_DYN_LINK)
  target_link_libraries(${T_NAME} PRIVATE Boost::unit_test_framework rxpath_warnings ${T_LIBS})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} ${T_ARGS})
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT})
  if(T_LABELS)
    set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()
