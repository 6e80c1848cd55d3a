# What `cmake --install` puts under the prefix:
#   bin/xbpf                            the tool
#   lib/libxbpf.so*                     the library hosts embed (LIBDIR)
#   include/xbpf/{xbpf,extension}.h     the public headers
#   lib/xbpf/extensions/*.so            the shipped extensions, where the
#                                       runtime looks next to the executable
#                                       (../lib/xbpf/extensions)
#   lib/pkgconfig/xbpf.pc               cflags and libs (LIBDIR)
#   share/xbpf/examples/sample/         the sample extension's source
include(GNUInstallDirs)

install(TARGETS xbpf RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS xbpf_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${CMAKE_SOURCE_DIR}/include/xbpf/xbpf.h ${CMAKE_SOURCE_DIR}/include/xbpf/extension.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/xbpf)
# Not LIBDIR: the runtime finds them as ../lib/xbpf/extensions from bin/.
install(TARGETS xdp sample LIBRARY DESTINATION lib/xbpf/extensions)
install(FILES ${CMAKE_SOURCE_DIR}/extensions/sample/sample.c
  ${CMAKE_SOURCE_DIR}/extensions/sample/sample.h
  DESTINATION ${CMAKE_INSTALL_DATADIR}/xbpf/examples/sample)

# xbpf.pc finds the prefix from its own place, so that the tree can be
# installed with any --prefix and moved.
file(RELATIVE_PATH XBPF_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" XBPF_PC_TO_PREFIX "${XBPF_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/xbpf.pc.in ${CMAKE_BINARY_DIR}/xbpf.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/xbpf.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
