# cmake -DRXPATH=<rxpath> -DDOC=<docs/scenario-knobs.md> -P CheckKnobsDoc.cmake
# Fails when the committed knob table differs from what rxpath prints.
execute_process(COMMAND ${RXPATH} --list-knobs OUTPUT_VARIABLE now RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "rxpath --list-knobs failed (${rc})")
endif()
file(READ ${DOC} committed)
if(NOT now STREQUAL committed)
  message(FATAL_ERROR "${DOC} is out of date: run `make docs`")
endif()
