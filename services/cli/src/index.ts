export { main, buildProgram } from './main';
