namespace Nono;
