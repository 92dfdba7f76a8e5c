# cuda.cmake — libpstm_cuda, the CUDA build of the pstm C ABI, and its ctest.
# Included (OPTIONAL) at the end of csrc/CMakeLists.txt; skipped with a
# message when no CUDA compiler is found.
#
#   PSTM_CUDA_ARCHITECTURES   CUDA_ARCHITECTURES of the library; default
#                             "90-real;90-virtual": SASS for sm_90 (H100/H200)
#                             and PTX that newer GPUs JIT-compile.
#                             e.g. -DPSTM_CUDA_ARCHITECTURES="80-real;90-real;90-virtual"
#
# The CUDA runtime is linked statically and its symbols are hidden, so the
# library loads on machines without a GPU or driver (pstm_device_count then
# reports 0) and exports only the pstm_* symbols, like libpstm_cpu.

include(CheckLanguage)
check_language(CUDA)
if(NOT CMAKE_CUDA_COMPILER)
  message(STATUS "pstm: no CUDA compiler found, libpstm_cuda is not built")
  return()
endif()

set(PSTM_CUDA_ARCHITECTURES "90-real;90-virtual"
    CACHE STRING "CUDA_ARCHITECTURES of libpstm_cuda (sm_75 and newer with CUDA 13)")
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  # only so that enable_language does not probe a default; the target sets its own
  set(CMAKE_CUDA_ARCHITECTURES "${PSTM_CUDA_ARCHITECTURES}")
endif()
enable_language(CUDA)
message(STATUS "pstm: building libpstm_cuda for CUDA architectures ${PSTM_CUDA_ARCHITECTURES}")

add_library(pstm_cuda SHARED
  ${PSTM_COMMON_SOURCES}
  ${PSTM_SOURCE_DIR}/src/cuda_host.cu
  ${PSTM_SOURCE_DIR}/src/cuda_kernel.cu)
if(PSTM_SANITIZE)
  # ASan does not work with the CUDA driver's memory mappings: leave the CUDA
  # library unsanitized (nvcc would also reject -fsanitize); drivers still are.
  set_property(TARGET pstm_cuda PROPERTY COMPILE_OPTIONS "")
  set_property(TARGET pstm_cuda PROPERTY LINK_OPTIONS "")
endif()
pstm_apply_host_flags(pstm_cuda)  # hidden visibility, PIC, include paths, C++ flags
set_target_properties(pstm_cuda PROPERTIES
  CUDA_ARCHITECTURES "${PSTM_CUDA_ARCHITECTURES}"
  CUDA_RUNTIME_LIBRARY Static
  CUDA_STANDARD 17
  CUDA_STANDARD_REQUIRED ON
  CUDA_VISIBILITY_PRESET hidden
  # next to libpstm_cpu in build/, where ffi/library.ts looks
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
# Approximate sqrt and division (a few ulp) and flushed denormals: well inside
# the 1e-3 tolerance against the CPU build; -lineinfo costs nothing at run time
# and lets Nsight Compute map the kernel to source lines.
target_compile_options(pstm_cuda PRIVATE
  $<$<COMPILE_LANGUAGE:CUDA>:-prec-sqrt=false -prec-div=false -ftz=true -lineinfo>)
# keep the static CUDA runtime's symbols out of the dynamic symbol table
target_link_options(pstm_cuda PRIVATE "LINKER:--exclude-libs,ALL")
# like libpstm_cpu: never unloaded, so runtime threads never lose their code at host exit
target_link_options(pstm_cuda PRIVATE "LINKER:-z,nodelete")

# ctest: CUDA vs CPU vs a float64 plain reference; exit 77 (skipped) without a GPU
enable_testing()
add_executable(pstm_cuda_driver ${PSTM_SOURCE_DIR}/tests/cuda_driver.c)
target_include_directories(pstm_cuda_driver PRIVATE ${PSTM_SOURCE_DIR}/include)
target_compile_options(pstm_cuda_driver PRIVATE -Wall -Wextra -O2)
target_link_libraries(pstm_cuda_driver PRIVATE ${CMAKE_DL_LIBS} m)
set_target_properties(pstm_cuda_driver PROPERTIES C_STANDARD 11)
# the driver dlopen()s both libraries (they export the same symbols)
add_dependencies(pstm_cuda_driver pstm_cuda pstm_cpu)
add_test(NAME cuda_driver
  COMMAND pstm_cuda_driver $<TARGET_FILE:pstm_cuda> $<TARGET_FILE:pstm_cpu>)
set_tests_properties(cuda_driver PROPERTIES SKIP_RETURN_CODE 77 ENVIRONMENT "OMP_NUM_THREADS=2")
