/* export.h — the one macro that marks a symbol as part of the public ABI.
 *
 * The library is built with -fvisibility=hidden, so only MEDTONE_API symbols leave the shared
 * object; the linker version script (src/medtone.map) lists the same names and is checked by a
 * test, so the list of exports is the contract. Static users define MEDTONE_STATIC. */
#ifndef MEDTONE_EXPORT_H
#define MEDTONE_EXPORT_H

#if defined(MEDTONE_STATIC)
#define MEDTONE_API
#elif defined(_WIN32)
#if defined(MEDTONE_BUILDING)
#define MEDTONE_API __declspec(dllexport)
#else
#define MEDTONE_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && defined(MEDTONE_BUILDING)
#define MEDTONE_API __attribute__((visibility("default")))
#else
#define MEDTONE_API
#endif

#endif /* MEDTONE_EXPORT_H */
