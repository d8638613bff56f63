// The jStat functions we use (the package ships no types).
declare module 'jstat' {
  const jStat: {
    studentt: { inv(p: number, dof: number): number };
    normal: { inv(p: number, mean: number, sd: number): number };
  };
  export default jStat;
}
