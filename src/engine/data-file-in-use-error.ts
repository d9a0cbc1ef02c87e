/**
 * A durable engine's data file is held by another process (another Sprocket on the same data
 * directory). Thrown at start, so the operator learns which file and can stop the other server or
 * give this one its own data directory.
 */
export class DataFileInUseError extends Error {
  constructor(readonly file: string) {
    super(`${file} is in use by another process`)
    this.name = 'DataFileInUseError'
  }
}
