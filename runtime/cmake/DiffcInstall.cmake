# `cmake --install` layout and the CMake package (find_package(diffc CONFIG)):
#   bin/diffc                              the compiler (imported as diffc::compiler)
#   include/diffc/{diffc.hpp, abi.h, ...}  the host API and the calling convention
#   lib/libdiffc_rt.a                      runtime of compiled code, no LLVM (diffc::rt)
#   lib/libdiffc_runtime.a                 the C++ host API with the JIT (diffc::diffc)
#   lib/libdiffc_<stage>.a                 compiler stages diffc::diffc links (not for direct use)
#   lib/cmake/diffc/                       diffcConfig.cmake, targets, DiffcAddLibrary.cmake
# Included from runtime/CMakeLists.txt once every target exists.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(DIFFC_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/diffc)

set_target_properties(diffc PROPERTIES EXPORT_NAME compiler)
set_target_properties(diffc_rt PROPERTIES EXPORT_NAME rt)
set_target_properties(diffc_runtime PROPERTIES EXPORT_NAME diffc)

# The host API is a static library, so everything it links privately (the compiler stages and
# LLVM through diffc_llvm) is part of its link interface and must be exported with it.
set(_diffc_stages diffc_support diffc_frontend diffc_ir diffc_passes diffc_sema diffc_interp
                  diffc_ad diffc_codegen diffc_llvm)
install(TARGETS diffc diffc_rt diffc_runtime ${_diffc_stages}
        EXPORT diffcTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/diffc
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT diffcTargets NAMESPACE diffc:: DESTINATION ${DIFFC_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/diffcConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/diffcConfig.cmake
                              INSTALL_DESTINATION ${DIFFC_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/diffcConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/diffcConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/diffcConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/DiffcAddLibrary.cmake
        DESTINATION ${DIFFC_INSTALL_CMAKEDIR})
