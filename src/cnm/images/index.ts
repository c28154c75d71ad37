/**
 * The image catalogue's front door: the built-in images (busybox, busybox:local, alpine, nginx,
 * httpd, redis, consul, python, node), reference parsing and lookup with Docker's pull errors,
 * and the programs the images run.
 *
 * Models: a Docker host's local image store, filled in advance (a simulation has no registry);
 * see each file's header.
 */
export { ImageCatalogue, imageId, parseReference, type ImageLookup, type ImageSpec, type ParsedReference } from './image.js';
export { BUILTIN_IMAGES, builtinCatalogue } from './catalogue.js';
export { IMAGE_PROGRAMS, entrypointArgv, splitScript, type ContainerRuntime, type ImageProgram, type ImageProgramSpec } from './image-programs.js';
