# Install-time part of `cmake --install` (install(SCRIPT) in CMakeLists.txt):
# what depends on the prefix given at install time. Inputs: GGZY_SOURCE_DIR,
# GGZY_BINDIR, GGZY_SYSCONFDIR (relative to the prefix, or absolute), and
# CMAKE_INSTALL_PREFIX / DESTDIR as cmake --install sets them.
#  - the systemd unit, its /usr/bin and /etc paths rewritten to this prefix's,
#    into PREFIX/lib/systemd/system;
#  - the example configuration and targets into SYSCONFDIR/ggzy-metricsd,
#    only where no file of that name exists yet (an upgrade keeps the
#    operator's configuration; share/ggzy-metricsd/examples has fresh copies).
function(ggzy_full_dir rel out)
  if(IS_ABSOLUTE "${rel}")
    set(${out} "${rel}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${rel}" PARENT_SCOPE)
  endif()
endfunction()
ggzy_full_dir("${GGZY_BINDIR}" bindir)
ggzy_full_dir("${GGZY_SYSCONFDIR}" sysconfdir)
# As GNUInstallDirs: a system install (prefix /usr) keeps its configuration in /etc.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr" AND GGZY_SYSCONFDIR STREQUAL "etc")
  set(sysconfdir "/etc")
endif()
set(confdir "${sysconfdir}/ggzy-metricsd")

file(READ "${GGZY_SOURCE_DIR}/deploy/systemd/ggzy-metricsd.service" unit)
string(REPLACE "/usr/bin/ggzy-metricsd" "${bindir}/ggzy-metricsd" unit "${unit}")
string(REPLACE "/etc/ggzy-metricsd/" "${confdir}/" unit "${unit}")
set(unitdir "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
message(STATUS "Installing: ${unitdir}/ggzy-metricsd.service")
file(MAKE_DIRECTORY "${unitdir}")
file(WRITE "${unitdir}/ggzy-metricsd.service" "${unit}")
list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${unitdir}/ggzy-metricsd.service")

foreach(f ggzy-metricsd.conf targets.json)
  if(EXISTS "$ENV{DESTDIR}${confdir}/${f}")
    message(STATUS "Keeping existing: $ENV{DESTDIR}${confdir}/${f}")
  else()
    # file(INSTALL) prepends DESTDIR itself
    file(INSTALL "${GGZY_SOURCE_DIR}/config/${f}" DESTINATION "${confdir}")
    list(APPEND CMAKE_INSTALL_MANIFEST_FILES "$ENV{DESTDIR}${confdir}/${f}")
  endif()
endforeach()
