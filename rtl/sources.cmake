# The RTL file list, in compile order. rtl/CMakeLists.txt includes this;
# the lint target and every verilate() call use the same list.
set(RXPATH_RTL_SOURCES
  ${RXPATH_REGS_SV}
)
