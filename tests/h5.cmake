# HDF5 writer/reader: every case under mpiexec on 1, 2 and 4 ranks.
taq_add_suite(test_h5 SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_h5.c RANKS 1 2 4)
# The deflate cases check chunks with zlib and libdeflate directly.
target_link_libraries(test_h5 PRIVATE ZLIB::ZLIB PkgConfig::LIBDEFLATE)
