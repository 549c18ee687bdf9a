# Runs digits briefly and asserts its outcome: exit status 0 (gradient check passed, accuracy
# bound met), the gradient check and final lines printed, and an SVG written.
# Usage: cmake -DDIGITS=exe -DOUT=dir -DEPOCHS=n -DOPTIMIZER=adam|sgd -P check_run.cmake
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${DIGITS} --epochs ${EPOCHS} --optimizer ${OPTIMIZER} --out ${OUT} --min-accuracy 0.95
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "digits exited with ${rc}")
endif()
if(NOT out MATCHES "max relative error [^\n]*: passed")
  message(FATAL_ERROR "no passed gradient check in the output")
endif()
if(NOT EXISTS ${OUT}/digits_curves.svg)
  message(FATAL_ERROR "${OUT}/digits_curves.svg was not written")
endif()
file(READ ${OUT}/digits_curves.svg svg)
if(NOT svg MATCHES "^<svg .*<polyline .*</svg>")
  message(FATAL_ERROR "${OUT}/digits_curves.svg is not a plot")
endif()
