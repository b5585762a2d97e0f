export { main, buildProgram, EXIT_USER_ERROR } from './main.js';
