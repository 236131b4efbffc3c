import '@testing-library/jest-dom';
import { ReadableStream } from 'stream/web';
import { TextDecoder, TextEncoder } from 'util';

// jsdom lacks the streaming pieces browsers have; Node's own are the same standard classes.
global.TextDecoder = global.TextDecoder || TextDecoder;
global.TextEncoder = global.TextEncoder || TextEncoder;
global.ReadableStream = global.ReadableStream || ReadableStream;
