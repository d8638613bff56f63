// The one jStat function we use (the package ships no types).
declare module 'jstat' {
  const jStat: { studentt: { inv(p: number, dof: number): number } };
  export default jStat;
}
